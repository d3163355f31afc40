(S (NP (NNP Mary)) (VP (VBD left) (ADVP (RB early)) (PP (IN for) (NP (NN work)))))
(S (VP (VB Go)) (. !))
