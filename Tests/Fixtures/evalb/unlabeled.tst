(X (Y (DT The) (NN cat)) (Z (VBD sat) (W (IN on) (V (DT the) (NN mat)))) (. .))
(S (NP (PRP He)) (VP (VBD gave) (ADJP (RP up)) (NP (DT the) (NN fight))) (. .))
(S (NP (NN a) (VP (VBZ b))))
