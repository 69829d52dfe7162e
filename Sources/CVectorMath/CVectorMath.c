// Everything is inline in include/CVectorMath.h; SwiftPM needs one source file.
#include "CVectorMath.h"
