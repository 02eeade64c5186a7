// The checker's passes, in the order checker.cc runs them. Internal to sema.
#pragma once

#include "sema/program.h"

namespace smdl::sema {

void CollectSymbols(Program& program);      // checker.cc: module-level names, duplicates
void ResolveSignatures(Program& program);   // decl_checker.cc: fields, parameters, results
void CheckOverrides(Program& program);      // decl_checker.cc: targets and signatures
void CheckDeclarations(Program& program);   // decl_checker.cc: defaults, policies, settings, calendars
void CheckTables(Program& program);         // table_checker.cc: cells, gaps, overlaps
void CheckProcesses(Program& program);      // process_checker.cc: states, transitions, SLAs, lints
void CheckTests(Program& program);          // test_checker.cc: test blocks

}  // namespace smdl::sema
