/* The release version, printed by --version and recorded in bundles, and the versions of Falco's
 * rules language saker implements (docs/rules.md, "Versions"). */
#ifndef SAKER_VERSION_H
#define SAKER_VERSION_H
#define SAKER_VERSION "0.1.0"
/* The Falco engine version whose rules files saker reads: rules requiring a newer engine (or
 * another major version) are refused, as Falco refuses them. 0.63.0 is the engine of the Falco
 * source the language reference (falco/RULES-SCHEMA.md, GRAMMAR.md) was read from: Falco 0.44's
 * language, with the \xHH escape and trimmed exception comps of the engine after it. */
#define SAKER_ENGINE_VERSION "0.63.0"
/* saker loads no plugins, but computes the container plugin's fields itself; rules requiring
 * the container plugin are satisfied up to this version, the one that engine ships with. */
#define SAKER_CONTAINER_PLUGIN_VERSION "0.7.1"
#endif
