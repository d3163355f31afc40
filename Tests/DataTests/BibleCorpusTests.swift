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

    /// diatheke's OSIS output: a heading before a reference (a psalm's superscription, an acrostic
    /// letter) opens the verse it precedes; diatheke repeats it before every later verse, into
    /// later books, and those repeats are dropped; a verse of markup only is left out.
    @Test func headingsOpenTheVerseTheyPrecedeAndTheirRepeatsAreDropped() {
        let output = """
        Psalms 3:8: <w>Salvation</w> belongs <w>to</w> <w>Yahweh</w>. Selah.   <milestone type="line"/>
        For the Chief Musician; on stringed instruments. A Psalm by David.  Psalms 4:1: Answer me when I call. <milestone type="line"/>
        For the Chief Musician; on stringed instruments. A Psalm by David.  Psalms 4:2: <w>You</w> sons <w>of</w> <w>men</w>.<milestone type="line"/>
        ALEPH  Psalms 119:1: <w>Blessed</w> <w>are</w> <w>those</w>. <milestone type="line"/>
        ALEPH  Psalms 119:2: <w>Blessed</w> <w>are</w> <w>those</w> <w>who</w> keep. <milestone type="line"/>
        ALEPH  Proverbs 1:1: <w>The</w> proverbs <w>of</w> Solomon.<milestone type="line"/>
        <title canonical="true" type="psalm">ALEPH</title> <lg sID="gen1"/> <l level="1" sID="gen2"/>Tobit 6:18: <milestone type="line"/>
        ALEPH  Esther (Greek) 1:1: In the second year.<milestone type="line"/>
        (engWEB2015eb)
        """
        let verses = BibleCorpus.parse(output, module: "engWEB2015eb")
        #expect(verses.map(\.reference) == ["Psalms 3:8", "Psalms 4:1", "Psalms 4:2", "Psalms 119:1", "Psalms 119:2", "Proverbs 1:1", "Esther (Greek) 1:1"])
        #expect(verses.map(\.text) == [
            "Salvation belongs to Yahweh. Selah.",
            "For the Chief Musician; on stringed instruments. A Psalm by David. Answer me when I call.",
            "You sons of men.",
            "ALEPH Blessed are those.",
            "Blessed are those who keep.",
            "The proverbs of Solomon.",
            "In the second year.",
        ])
    }

    /// WEB's `<w>God</w><w>created</w>` is two words.
    @Test func wordsJoinedByMarkupAreSeparated() {
        let verses = BibleCorpus.parse("Genesis 1:1: <w>In</w> <w>the</w> <w>beginning</w>, <w>God</w><w>created</w> <w>the</w> <w>heavens</w>.<milestone type=\"line\"/>")
        #expect(verses.map(\.text) == ["In the beginning, God created the heavens."])
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
