/* C++ and Rust symbol names as their programmers write them (libiberty's demangler). */
#ifndef TT_DEMANGLE_H
#define TT_DEMANGLE_H

#include <stddef.h>

/*
 * sym demangled into buf (always NUL-terminated when len > 0): C++ (_Z...) and Rust (legacy
 * _ZN...17h<hash>E, v0 _R...) without parameter lists or Rust's hash; anything else, or a
 * name the demangler refuses, as it is. Returns buf.
 */
const char *demangle__name(const char *sym, char *buf, size_t len);

#endif
