(S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP-LOC (IN on) (NP (DT the) (NN mat)))) (. .))
(S (NP (PRP He)) (VP (VBD gave up) (NP (DT the) (NN fight))) (. .))
