(S (NP (NN man)) (VP (VBZ runs)))
(S (NP (NP (NP (NN man)))) (VP (VBZ runs)))
(S (NP (NP (NN man))) (VP (VP (VBZ runs))))
(S (A (A (B b))) (C c))
