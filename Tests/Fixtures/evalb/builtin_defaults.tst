(S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP-LOC (IN on) (NP (DT the) (NN mat)))) (. .))
(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (S (VP (VBD rained)))) (. .))
(TOP (S (`` ``) (NP (PRP We)) (VP (MD will) (VP (VB win))) (: --) (NP (PRP he)) (VP (VBD said)) (. .) ('' '')))
