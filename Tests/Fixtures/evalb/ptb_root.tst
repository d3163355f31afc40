(TOP (S (NP (DT the) (NN cat)) (VP (VBD sat) (. .))))
( (S (NP (DT the) (NN cat)) (VP (VBD sat))))
