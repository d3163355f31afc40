import Data
import Testing

@Suite struct BibleCorpusTests {
    /// diatheke's plain output: `Book C:V: text`, some verses wrapped, markup, the module line.
    @Test func parsesReferencesWrappedVersesAndMarkup() {
        let output = """
        Genesis 1:1: In the beginning God created the heavens and the earth.
        I Samuel 3:10: Yahweh came, and stood, <i>and</i> called,
          "Samuel! Samuel!"

        Psalms 119:2: Blessed are those who keep his statutes.
        (engWEB2015eb)
        """
        let verses = BibleCorpus.parse(output, module: "engWEB2015eb")
        #expect(verses.map(\.reference) == ["Genesis 1:1", "I Samuel 3:10", "Psalms 119:2"])
        #expect(verses[1].text == "Yahweh came, and stood, and called, \"Samuel! Samuel!\"")
        #expect(verses[1].book == "I Samuel" && verses[1].chapter == 3 && verses[1].verse == 10)
    }

    /// Pairs come from references both sides have; a verse missing on one side is left out.
    @Test func alignsTranslationsByReference() {
        let en = BibleCorpus.parse("Ruth 1:1: In the days\nRuth 1:2: The name\nRuth 1:3: Elimelech died")
        let es = BibleCorpus.parse("Ruth 1:1: Y ACONTECIÓ\nRuth 1:3: Y murió Elimelech")
        let pairs = BibleCorpus.align(en, es)
        #expect(pairs.map(\.source.reference) == ["Ruth 1:1", "Ruth 1:3"])
        #expect(pairs.map(\.target.text) == ["Y ACONTECIÓ", "Y murió Elimelech"])
    }

    /// Whole books go to validation and test; nothing else does.
    @Test func splitsByBook() {
        let verses = BibleCorpus.parse("Genesis 1:1: a\nRuth 1:1: b\nEsther 1:1: c\nJonah 1:1: d\nMark 1:1: e")
        let (train, validation, test) = BibleCorpus.split(verses)
        #expect(train.map(\.book) == ["Genesis", "Mark"])
        #expect(validation.map(\.book) == ["Ruth", "Jonah"])
        #expect(test.map(\.book) == ["Esther"])
    }
}
