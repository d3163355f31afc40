(S (A (P this)) (B (Q is) (A (R a) (TT test))) (. .))
(S (NP (DT the) (NNS color)) (VP (VBZ is) (NN red)))
(TOP (S (NP (NN x) (-NONE- *)) (. .)))
