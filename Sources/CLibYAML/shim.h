#ifndef FIRPIPE_CLIBYAML_SHIM_H
#define FIRPIPE_CLIBYAML_SHIM_H
#include <yaml.h>

#endif
