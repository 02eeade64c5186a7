// The bytecode instruction set, declared once. The X-macro below generates
// the Op enum, the opcode names, the disassembler's operand layout and the
// interpreter's dispatch table, so that they can never disagree.
//
// The machine is a stack machine with numbered local slots per frame. Each
// instruction has three operands: x (16 bits), a and b (32 bits); the
// format column says which ones an opcode reads:
//   -    none          A    a            AB   a, b
//   X    x             XA   x, a         XAB  x, a, b
// Jump targets (a or b) are absolute instruction indices within the chunk.
#pragma once

#include <cstdint>

// X(NAME, FORMAT, what it does)
#define SMDL_VM_OPCODES(X)                                                                         \
  /* data */                                                                                       \
  X(kConst, A, "push constant a")                                                                  \
  X(kLocal, A, "push local slot a")                                                                \
  X(kTake, A, "push local slot a and leave it null (the result of a macro)")                       \
  X(kStore, A, "pop into local slot a")                                                            \
  X(kPop, -, "drop the top of the stack")                                                          \
  X(kField, A, "push field a of the record")                                                       \
  X(kFieldOpt, A, "push optional field a of the record: its value, or null when unset")            \
  X(kHasField, A, "push whether optional field a of the record is set")                            \
  X(kRecordId, -, "push the record's id")                                                          \
  X(kRecordState, -, "push the record's state")                                                    \
  X(kRecordActive, -, "push the record's leaves while regions run (a list), else its state")       \
  X(kWithin, A, "pop a state, a list of leaves or a record; push whether one is in constant a")     \
  X(kThis, A, "push the record as a map (constant a lists the field names)")                       \
  X(kRecordSla, -, "push the record's SLA clocks (a map of clock name to map)")                    \
  X(kActor, -, "push the actor (a map with name and roles)")                                       \
  X(kDeref, A, "pop a ref, push the record it names as a map (constant a: the ref's source text)") \
  X(kQuery, XA, "pop x index values, push refs to the matching records (constant a: [type, index...])") \
  X(kNow, -, "push the current time")                                                              \
  X(kSetting, A, "push the value of setting a of the image")                                       \
  X(kCall, XA, "call image function a with the top x values as arguments")                         \
  X(kEmitted, -, "pop a message name, push how many were emitted (tests)")                         \
  X(kLastEmitted, -, "pop a message name, push the last message of that name as a map (tests)")    \
  X(kBuiltin, XA, "call built-in function a with the top x values")                                \
  X(kMatchConst, A, "pop a string, push whether it matches precompiled pattern a")                 \
  /* operators */                                                                                  \
  X(kAdd, -, "a + b")                                                                              \
  X(kSub, -, "a - b")                                                                              \
  X(kMul, -, "a * b")                                                                              \
  X(kDiv, -, "a / b")                                                                              \
  X(kMod, -, "a % b")                                                                              \
  X(kNeg, -, "-a")                                                                                 \
  X(kNot, -, "!a")                                                                                 \
  X(kEq, -, "a == b")                                                                              \
  X(kNe, -, "a != b")                                                                              \
  X(kLt, -, "a < b")                                                                               \
  X(kLe, -, "a <= b")                                                                              \
  X(kGt, -, "a > b")                                                                               \
  X(kGe, -, "a >= b")                                                                              \
  X(kIn, -, "a in b")                                                                              \
  X(kIndex, -, "a[b]")                                                                             \
  X(kAddInt, -, "a + b on ints")                                                                   \
  X(kSubInt, -, "a - b on ints")                                                                   \
  X(kLtInt, -, "a < b on ints, durations or timestamps")                                           \
  X(kLeInt, -, "a <= b on ints, durations or timestamps")                                          \
  X(kGtInt, -, "a > b on ints, durations or timestamps")                                           \
  X(kGeInt, -, "a >= b on ints, durations or timestamps")                                          \
  X(kEqScalar, -, "a == b on two values of one scalar type (int, bool, enum)")                     \
  X(kNeScalar, -, "a != b on two values of one scalar type (int, bool, enum)")                     \
  X(kEqString, -, "a == b on strings")                                                             \
  X(kNeString, -, "a != b on strings")                                                             \
  X(kSelect, A, "pop a map, push its entry under the string constant a")                           \
  X(kHasKey, A, "pop a map, push whether it has the string constant a as key")                     \
  X(kList, A, "pop a values, push them as a list")                                                 \
  X(kMap, A, "pop a key/value pairs, push them as a map")                                          \
  /* control */                                                                                    \
  X(kJump, A, "jump to a")                                                                         \
  X(kJumpIfNotTrue, A, "pop; jump to a unless it is true")                                         \
  X(kJumpNeLocalConst, XAB, "jump to b unless local x == constant a")                              \
  X(kAndShort, A, "if the top is false jump to a, else keep it")                                   \
  X(kAndJoin, -, "combine the kept left operand of && with the right one")                         \
  X(kOrShort, A, "if the top is true jump to a, else keep it")                                     \
  X(kOrJoin, -, "combine the kept left operand of || with the right one")                          \
  X(kCond, AB, "pop the condition of ?:; false: jump a; not a bool: push error, jump b")           \
  X(kIterInit, XA, "pop a list or map into slots x, x+1; not iterable: push error, jump a")        \
  X(kIterNext, XAB, "next item of iteration x into local b, or jump to a when done")               \
  X(kAllStep, XA, "fold the predicate into the all() result in local x; false: jump a")            \
  X(kExistsStep, XA, "fold the predicate into the exists() result in x; true: jump a")             \
  X(kCountStep, XA, "count a true predicate in local x (exists_one); error: jump a")               \
  X(kExistsOneEnd, -, "turn the count of exists_one into a bool")                                  \
  X(kAppendStep, XA, "append the top to the list in local x; error: store it, jump a")             \
  X(kFilterTest, XAB, "pop a predicate; error: store in x, jump a; false: jump b")                 \
  X(kReturn, -, "return the top of the stack")

namespace smdl::vm {

enum class Op : uint16_t {
#define SMDL_VM_ENUM(name, format, doc) name,
  SMDL_VM_OPCODES(SMDL_VM_ENUM)
#undef SMDL_VM_ENUM
      kCount
};

// "Const", "Local", ... for the disassembler.
const char* OpName(Op op);
// The operand format of an opcode: "-", "A", "AB", "X", "XA", "XAB".
const char* OpFormat(Op op);

struct Instr {
  Op op;
  uint16_t x = 0;
  uint32_t a = 0;
  uint32_t b = 0;
};
static_assert(sizeof(Instr) == 12);

}  // namespace smdl::vm
