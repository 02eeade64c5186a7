// SMDL: the Service Management Definition Language.
//
// One grammar for the whole language: modules, declarations (enums, records,
// policies, decision tables, settings, calendars, processes, tests) and CEL
// expressions. Keywords of the declaration level are soft: they are accepted
// wherever an identifier is (see `ident`), so a record may have a field called
// `state` and CEL's `map`/`filter` macros keep their names.
//
// The generated C++ lives in the build tree and is seen only by engine/syntax.
grammar SMDL;

// ---------------------------------------------------------------- modules

file
    : moduleDecl? importDecl* declaration* EOF
    ;

moduleDecl : MODULE qualifiedName ';' ;
importDecl : IMPORT qualifiedName ';' ;

qualifiedName : ident ('.' ident)* ;

declaration
    : enumDecl
    | recordDecl
    | policyDecl
    | tableDecl
    | settingDecl
    | calendarDecl
    | holidaysDecl
    | processDecl
    | testDecl
    | roleDecl
    ;

// ---------------------------------------------------------------- roles

// The roles an actor may hold; `requires` and tests name them.
roleDecl : ROLE ident (',' ident)* ';' ;

// ---------------------------------------------------------------- types

enumDecl : ENUM ident '{' ident (',' ident)* ','? '}' ;

recordDecl : RECORD ident '{' (fieldDecl | indexDecl)* '}' ;

// `index by service, state;`: records(T) queries that compare these fields
// (a leading part of them) for equality read only the matching records.
indexDecl : INDEX BY ident (',' ident)* ';' ;

fieldDecl : ident ':' typeRef ('=' expr)? ';' ;

typeRef : baseType (optional='?')? ;

baseType
    : REF qualifiedName                              # refType
    | LIST '<' typeRef '>'                           # listType
    | MAP '<' typeRef ',' typeRef '>'                # mapType
    | qualifiedName                                  # namedType
    ;

// ---------------------------------------------------------------- policies

policyDecl
    : OVERRIDE? POLICY ident '(' params? ')' '->' typeRef '=' expr ';'
    ;

params : param (',' param)* ;
param  : ident ':' typeRef ;

settingDecl
    : OVERRIDE? SETTING ident ':' typeRef '=' expr ';'
    ;

tableDecl
    : OVERRIDE? TABLE ident '(' params? ')' '->' typeRef '{'
        HIT hitPolicy=ident ';'
        tableHeader
        tableRow*
      '}'
    ;

tableHeader : '|' (ident '|')+ '=>' ident? '|' ;

// The last cell of a row is its output; the builder splits it off.
tableRow : '|' (tableCell '|')+ ;

tableCell
    : '-'                                            # anyCell
    | op=('<' | '<=' | '>' | '>=' | '!=' | '==') expr # compareCell
    | IN expr                                        # inCell
    | expr                                           # equalCell
    ;

// ---------------------------------------------------------------- calendars

calendarDecl
    : OVERRIDE? CALENDAR ident '{' calendarItem* '}'
    ;

calendarItem
    : TIMEZONE STRING ';'                                    # timezoneItem
    | dayRange (',' dayRange)* timeRange (',' timeRange)* ';' # hoursItem
    | ALWAYS ';'                                             # alwaysItem
    | HOLIDAY EVERY? STRING (',' STRING)* ';'                # holidayItem
    | HOLIDAY ident (sign=('+' | '-') INT)? ';'              # easterItem
    | HOLIDAY ident ident ident ident ';'                    # weekdayItem
    | HOLIDAYS ident (',' ident)* ';'                        # holidaysItem
    | SUBSTITUTE ident ident ';'                             # substituteItem
    | WORKING STRING (',' STRING)* ';'                       # workingItem
    ;

// A named set of holiday rules (`holiday` and `substitute` lines) that
// calendars include with `holidays NAME;`. Other items are reported (E5038).
holidaysDecl
    : HOLIDAYS ident '{' calendarItem* '}'
    ;

dayRange  : ident ('..' ident)? ;
timeRange : clockTime '-' clockTime ;
clockTime : INT ':' INT ;

// ---------------------------------------------------------------- processes

processDecl
    : PROCESS ident FOR qualifiedName '{' processItem* '}'
    ;

processItem
    : onCreate
    | slaDecl
    | stateDecl
    ;

onCreate : ON CREATE actionBlock ;

slaDecl : SLA ident '{' slaItem* '}' ;

slaItem
    : TARGET expr ';'                                  # slaTarget
    | CALENDAR expr ';'                                # slaCalendar
    | kind=(START | STOP | PAUSE | RESUME | RESET) slaTrigger ';'    # slaCondition
    | RETARGET ident ';'                               # slaRetarget
    | WARN AT pct=(INT | DOUBLE) '%' slaAction+ ';'    # slaWarn
    | BREACH slaAction+ ';'                            # slaBreach
    ;

slaTrigger
    : ON CREATE                                        # triggerCreate
    | ON ENTER ident (',' ident)*                      # triggerEnter
    | ON LEAVE ident (',' ident)*                      # triggerLeave
    | ON EVENT ident (',' ident)*                      # triggerEvent
    | IN ident (',' ident)*                            # triggerWhileIn
    ;

slaAction
    : EMIT STRING payload?                             # slaEmit
    | '->' ident                                       # slaMove
    | FIRE ident                                       # slaFire
    ;

// A state holds transitions, and may hold states of its own (a compound
// state) with entry and exit actions. The states of a `parallel` state are
// its regions, all active at once.
stateDecl
    : modifier=(INITIAL | FINAL)? parallel=PARALLEL? STATE ident (';' | '{' stateItem* '}')
    ;

stateItem
    : ENTRY actionBlock                                # enterActions
    | EXIT actionBlock                                 # exitActions
    | stateDecl                                        # childState
    | transition                                       # stateTransition
    ;

transition
    : ON ident ('(' params? ')')? requiresClause? guard? ('->' target=ident)? transitionBody # eventTransition
    | AFTER expr ('->' target=ident)? transitionBody                        # timerTransition
    | AT expr ('->' target=ident)? transitionBody                           # instantTransition
    | guard '->' target=ident transitionBody                                # automaticTransition
    ;

guard : WHEN expr ;

// Every group must be held; a group is met by any one of its roles.
requiresClause : REQUIRES roleGroup (',' roleGroup)* ;
roleGroup : ident ('|' ident)* ;

transitionBody : ';' | actionBlock ;

actionBlock : '{' action* '}' ;

action
    : (THIS '.')? ident '=' expr ';'                   # assignAction
    | EMIT STRING payload? ';'                         # emitAction
    | ifAction                                         # conditionalAction
    | FIRE ident ('.' ident)+ '(' (fieldInit (',' fieldInit)*)? ')' ';'  # fireAction
    | (LET ident '=')? CREATE qualifiedName payload ';'  # createAction
    | FOR ident IN expr actionBlock                    # forAction
    ;

ifAction : IF expr actionBlock (ELSE (actionBlock | ifAction))? ;

payload : '{' (fieldInit (',' fieldInit)* ','?)? '}' ;

// ---------------------------------------------------------------- tests

testDecl : TEST STRING '{' testStep* '}' ;

testStep
    : CLOCK STRING ';'                                             # clockStep
    | LET ident '=' CREATE qualifiedName payload actorClause? REJECTED? ';' # createStep
    | FIRE ident '.' ident ('(' (namedArg (',' namedArg)*)? ')')? actorClause? REJECTED? ';' # fireStep
    | ADVANCE TO STRING ';'                                        # advanceToStep
    | ADVANCE BY expr ';'                                          # advanceByStep
    | EXPECT expr ';'                                              # expectStep
    ;

namedArg : ident ':' expr ;

// Who acts in a test step: `by "carol" with roles [cab]`.
actorClause : BY expr (WITH ROLES '[' (ident (',' ident)*)? ']')? ;

// ---------------------------------------------------------------- CEL expressions

// A lone expression, for `smdl eval` and the conformance suite.
exprOnly : expr EOF ;

// One left-recursive rule: ANTLR turns it into precedence climbing, so a
// leaf costs three parse-tree nodes instead of one per precedence level.
// Alternatives bind tighter the earlier they come (CEL's precedence).
expr
    : primary                                                  # primaryExpr
    | expr '.' ident ('(' exprList? ')')?                      # selectOrCall
    | expr '[' expr ']'                                        # index
    | NOT+ expr                                                # logicalNot
    | MINUS+ expr                                              # negate
    | expr op=('*' | '/' | '%') expr                           # multiplicative
    | expr op=('+' | '-') expr                                 # additive
    | expr op=('<' | '<=' | '>=' | '>' | '==' | '!=' | IN) expr # relation
    | expr '&&' expr                                           # logicalAnd
    | expr '||' expr                                           # logicalOr
    | <assoc=right> expr '?' expr ':' expr                     # conditional
    ;

primary
    : leadingDot='.'? ident ('(' exprList? ')')?       # identOrGlobalCall
    | '(' expr ')'                                     # nested
    | '[' exprList? ','? ']'                           # createList
    | '{' mapInits? ','? '}'                           # createMap
    | THIS                                             # thisExpr
    | literal                                          # constant
    ;

exprList : expr (',' expr)* ;

fieldInit : ident ':' expr ;

mapInits : expr ':' expr (',' expr ':' expr)* ;

literal
    : INT                                              # intLit
    | UINT                                             # uintLit
    | DOUBLE                                           # doubleLit
    | STRING                                           # stringLit
    | BYTES                                            # bytesLit
    | TRUE                                             # trueLit
    | FALSE                                            # falseLit
    | NUL                                              # nullLit
    ;

// Every keyword but the CEL literals and `in` is also a valid identifier.
ident
    : IDENTIFIER
    | MODULE | IMPORT | ENUM | RECORD | REF | LIST | MAP | OVERRIDE | POLICY
    | SETTING | TABLE | HIT | CALENDAR | TIMEZONE | ALWAYS | HOLIDAY | HOLIDAYS
    | SUBSTITUTE | EVERY
    | WORKING | PROCESS | FOR | ON | CREATE | SLA | TARGET | START | STOP
    | PAUSE | RESUME | RESET | RETARGET | WARN | AT | BREACH | ENTER | LEAVE
    | EVENT | EMIT | FIRE | INITIAL | FINAL | STATE | AFTER | WHEN | TEST
    | CLOCK | LET | ADVANCE | TO | BY | EXPECT | REJECTED | ROLE | ROLES | REQUIRES
    | WITH | IF | ELSE | INDEX | ENTRY | EXIT | PARALLEL
    ;

// ---------------------------------------------------------------- lexer

MODULE   : 'module' ;
IMPORT   : 'import' ;
ENUM     : 'enum' ;
RECORD   : 'record' ;
REF      : 'ref' ;
LIST     : 'list' ;
MAP      : 'map' ;
OVERRIDE : 'override' ;
POLICY   : 'policy' ;
SETTING  : 'setting' ;
TABLE    : 'table' ;
HIT      : 'hit' ;
CALENDAR : 'calendar' ;
TIMEZONE : 'timezone' ;
ALWAYS   : 'always' ;
HOLIDAY  : 'holiday' ;
HOLIDAYS : 'holidays' ;
SUBSTITUTE : 'substitute' ;
EVERY    : 'every' ;
WORKING  : 'working' ;
PROCESS  : 'process' ;
FOR      : 'for' ;
ON       : 'on' ;
CREATE   : 'create' ;
SLA      : 'sla' ;
TARGET   : 'target' ;
START    : 'start' ;
STOP     : 'stop' ;
PAUSE    : 'pause' ;
RESUME   : 'resume' ;
RESET    : 'reset' ;
RETARGET : 'retarget' ;
WARN     : 'warn' ;
AT       : 'at' ;
BREACH   : 'breach' ;
ENTER    : 'enter' ;
ENTRY    : 'entry' ;
EXIT     : 'exit' ;
LEAVE    : 'leave' ;
EVENT    : 'event' ;
EMIT     : 'emit' ;
FIRE     : 'fire' ;
INITIAL  : 'initial' ;
FINAL    : 'final' ;
STATE    : 'state' ;
PARALLEL : 'parallel' ;
AFTER    : 'after' ;
WHEN     : 'when' ;
TEST     : 'test' ;
CLOCK    : 'clock' ;
LET      : 'let' ;
ADVANCE  : 'advance' ;
TO       : 'to' ;
BY       : 'by' ;
EXPECT   : 'expect' ;
REJECTED : 'rejected' ;
ROLE     : 'role' ;
ROLES    : 'roles' ;
REQUIRES : 'requires' ;
WITH     : 'with' ;
IF       : 'if' ;
ELSE     : 'else' ;
INDEX    : 'index' ;
THIS     : 'this' ;
IN       : 'in' ;
TRUE     : 'true' ;
FALSE    : 'false' ;
NUL      : 'null' ;

ARROW   : '->' ;
FATARROW: '=>' ;
DOTDOT  : '..' ;
EQ      : '==' ;
NE      : '!=' ;
LE      : '<=' ;
GE      : '>=' ;
AND     : '&&' ;
OR      : '||' ;
LT      : '<' ;
GT      : '>' ;
ASSIGN  : '=' ;
NOT     : '!' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;
QUESTION: '?' ;
COLON   : ':' ;
SEMI    : ';' ;
COMMA   : ',' ;
DOT     : '.' ;
PIPE    : '|' ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACKET: '[' ;
RBRACKET: ']' ;
LBRACE  : '{' ;
RBRACE  : '}' ;

fragment DIGIT     : [0-9] ;
fragment HEXDIGIT  : [0-9a-fA-F] ;
fragment LETTER    : [A-Za-z_] ;
fragment EXPONENT  : [eE] [+-]? DIGIT+ ;

// CEL numbers. Leading zeros are lexed and rejected by the checker, so that
// calendar times like 08:00 share the INT token.
DOUBLE
    : DIGIT+ '.' DIGIT+ EXPONENT?
    | DIGIT+ EXPONENT
    | '.' DIGIT+ EXPONENT?
    ;
UINT : (DIGIT+ | '0x' HEXDIGIT+) [uU] ;
INT  : DIGIT+ | '0x' HEXDIGIT+ ;

fragment ESCAPE
    : '\\' [abfnrtv"'\\?`]
    | '\\' [xX] HEXDIGIT HEXDIGIT
    | '\\' 'u' HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT
    | '\\' 'U' HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT
    | '\\' [0-3] [0-7] [0-7]
    ;

fragment STRING_BODY
    : '"' (ESCAPE | ~[\\"\n\r])* '"'
    | '\'' (ESCAPE | ~[\\'\n\r])* '\''
    | '"""' (ESCAPE | ~[\\] )*? '"""'
    | '\'\'\'' (ESCAPE | ~[\\])*? '\'\'\''
    | [rR] '"' ~["\n\r]* '"'
    | [rR] '\'' ~['\n\r]* '\''
    | [rR] '"""' .*? '"""'
    | [rR] '\'\'\'' .*? '\'\'\''
    ;

STRING : STRING_BODY ;
BYTES  : [bB] STRING_BODY | [rR] [bB] STRING_BODY ;

IDENTIFIER : LETTER (LETTER | DIGIT)* ;

LINE_COMMENT  : '//' ~[\n\r]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WHITESPACE    : [ \t\r\n\f]+ -> channel(HIDDEN) ;

// Anything else is one token, so that the parser reports it once, with a position.
ERROR_CHAR : . ;
