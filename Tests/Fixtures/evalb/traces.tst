(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (S (VP (VBD rained)))) (. .))
(S (NP (DT The) (NN bill)) (VP (VBD was) (VP (VBN passed))) (. .))
(SBARQ (WHNP (WP What)) (SQ (VBD did) (NP (PRP you)) (VP (VB see))) (. ?))
