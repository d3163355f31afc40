import Tensors
print(blasCoreName)
