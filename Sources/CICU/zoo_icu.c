#include "zoo_icu.h"
