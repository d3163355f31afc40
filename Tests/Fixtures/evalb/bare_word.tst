(S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP-LOC (IN on) (NP (DT the) (NN mat)))) (. .))
(S (NP (NN a)) (VP (VBZ b)))
(S (NP-SBJ (PRP He)) (VP (VBD gave) (PRT (RP up)) (NP (DT the) (NN fight))) (. .))
