// The version of smdl and the git revision it was built from ("unknown"
// when the sources were not a git checkout; "-modified" when they had
// uncommitted changes). Generated at every build by cmake/version.cmake.
#pragma once

namespace smdl {

const char* Version();
const char* GitRevision();

}  // namespace smdl
