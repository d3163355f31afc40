(S (NP (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat) (. .)))))
(S (`` ``) (S (NP (PRP We)) (VP (MD will) (VP (VB win)))) (: --) (NP (PRP he)) (VP (VBD said) (. .) ('' '')))
