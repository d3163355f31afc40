(S (NP (NN a)))

