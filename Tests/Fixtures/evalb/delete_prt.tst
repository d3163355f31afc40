(S (NP (PRP He)) (VP (VBD gave) (ADVP (RB up)) (NP (DT the) (NN fight))) (. .))
(S (NP (PRP They)) (VP (VBD looked) (ADVP (RB up)) (NP (DT the) (NN word))))
(S (NP (PRP They)) (VP (VBD looked) (PRT (RP up)) (NP (DT the) (JJ whole) (NN word) (NN list))))
