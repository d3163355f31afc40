(S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP-LOC (IN on) (NP (DT the) (NN mat)))) (. .))
(S (NP-SBJ (PRP He)) (VP (VBD gave) (PRT (RP up)) (NP (DT the) (NN fight))) (. .))
(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (SBAR (-NONE- 0) (S (NP-SBJ (-NONE- *T*-1)) (VP (VBD rained))))) (. .))
(TOP (S (`` ``) (NP (PRP We)) (VP (MD will) (VP (VB win))) (: --) (NP (PRP he)) (VP (VBD said)) (. .) ('' '')))
