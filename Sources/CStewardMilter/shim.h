#pragma once
#include <milter/mfapi.h>
