/* The release version, printed by --version and recorded in bundles. */
#ifndef SAKER_VERSION_H
#define SAKER_VERSION_H
#define SAKER_VERSION "0.1.0"
#endif
