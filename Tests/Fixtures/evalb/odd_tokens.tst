(S (NP (-LRB- -LRB-) (NN x) (-RRB- -RRB-)) (VP (VBZ is) (NN )) (NP (CD 3\/4)))
(S (NP (NNP Zürich) (NN cafe)) (VP (VBZ naïve) (NP (NN 日本))))
(S (NP (NN a-b=c)) (VP (VB x)) (X (NN y)))
