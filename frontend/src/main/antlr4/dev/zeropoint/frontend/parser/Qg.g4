// The .qg quantized-graph language (docs/language.md). The parse tree stays inside the frontend:
// ModelBuilder turns it into IR.
grammar Qg;

model
    : 'model' modelName=name header* '{' statement* '}' EOF
    ;

header
    : 'numerics' '(' flavour ')'         # numericsHeader
    | 'weights' '(' STRING ')'           # weightsHeader
    ;

flavour
    : name ('-' name)*
    ;

statement
    : 'input' VALUE ':' type                                             # inputStatement
    | VALUE (',' VALUE)* '=' definition                                  # defineStatement
    | 'output' outputName=name '=' VALUE                                 # outputStatement
    ;

definition
    : 'const' constBody ':' type                                         # constDefinition
    | opName=name '(' operands? ')' attributes? (':' type (',' type)*)?  # opDefinition
    ;

operands
    : VALUE (',' VALUE)*
    ;

constBody
    : STRING                                        # namedConst
    | NUMBER_LIST                                   # inlineConst
    ;

attributes
    : '{' (attribute (',' attribute)*)? '}'
    ;

attribute
    : name '=' attrValue
    ;

attrValue
    : number                                        # numberAttr
    | ('true' | 'false')                            # boolAttr
    | STRING                                        # stringAttr
    | name                                          # wordAttr
    | NUMBER_LIST                                   # numberListAttr
    | '[' (attrValue (',' attrValue)*)? ']'         # listAttr
    ;

type
    : elementName=name ('<' quantParams '>')? NUMBER_LIST
    ;

quantParams
    : scaleZeroPoint                                                          # perTensor
    | 'axis' INT ':' '{' scaleZeroPoint (',' scaleZeroPoint)* '}'             # perAxis
    ;

scaleZeroPoint
    : number ':' INT
    ;

number
    : INT
    | FLOAT
    ;

// Keywords are also usable as names (an attribute called 'axis', an output called 'input').
name
    : IDENT | 'model' | 'numerics' | 'weights' | 'input' | 'output' | 'const' | 'axis'
    ;

// A bracketed list of numbers is one token (shapes, integer attributes, inline constants): a
// constant of millions of elements then costs one token, not millions. NumberList reads it.
NUMBER_LIST
    : '[' GAP? ( NUMBER_TEXT ( GAP? ',' GAP? NUMBER_TEXT )* GAP? )? ']'
    ;

FLOAT : FLOAT_TEXT ;

INT : INT_TEXT ;

VALUE : '%' [a-zA-Z0-9_.]+ ;

IDENT : [a-zA-Z_] [a-zA-Z0-9_]* ;

STRING : '"' ( '\\' ["\\] | ~["\\\r\n] )* '"' ;

LINE_COMMENT : '//' ~[\r\n]* -> skip ;

WS : [ \t\r\n]+ -> skip ;

fragment NUMBER_TEXT : FLOAT_TEXT | INT_TEXT ;
fragment FLOAT_TEXT
    : [+-]? DIGITS '.' DIGITS? EXPONENT?
    | [+-]? '.' DIGITS EXPONENT?
    | [+-]? DIGITS EXPONENT
    | [+-]? 'inf'
    | [+-]? 'nan' ( '(0x' [0-9a-fA-F]+ ')' )?
    ;
fragment INT_TEXT : [+-]? DIGITS ;
fragment GAP : ( [ \t\r\n] | '//' ~[\r\n]* )+ ;
fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
