#ifndef KERN_VERSION_H
#define KERN_VERSION_H
#define MANIFOLD_VERSION "0.1"
#endif
