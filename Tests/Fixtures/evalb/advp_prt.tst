(S (NP (PRP He)) (VP (VBD gave) (ADVP (RB up)) (NP (DT the) (NN fight))) (. .))
(S (NP (PRP They)) (VP (VBD looked) (PP (RP up) (NP (DT the) (NN word)))))
