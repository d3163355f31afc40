(X (Y (NN a)) (Z (VBZ b)))
