
(S (. .))

(S (NN Yes))
(S (NP (NN Yes)) (. .))
