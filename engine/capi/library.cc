// libsmdl.so is the engine's stages and the C API (capi/c_api.cc), linked
// whole from their archives (see engine/CMakeLists.txt); a shared library
// needs a source of its own, and this is it.
