" Vim syntax file
" Language:    camp (marketing automation as code; docs/LANGUAGE.md)
" Filenames:   *.camp
"
" editors/vim/syntax/camp.vim -- highlighting for .camp files in Vim and Neovim.
" Owns: the syntax groups and their default colours.  Does not own: the
" keyword list (grammar/lexer.re is the truth; tests/suite_editors.sh checks
" that every keyword of it is here) or file detection (ftdetect/camp.vim).
"
" Keywords are contextual in camp (a field may be called email, text or
" set), so declarations, activities, branches and properties are matches
" that look at what follows them; elsewhere a word is a name.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword 48-57,a-z,A-Z,_
syn sync fromstart

" Comments
syn keyword campTodo contained TODO FIXME XXX NOTE
syn match campComment "#.*$" contains=campTodo,@Spell

" Literals (the later definition wins at one position: datetime over
" duration over number)
syn match campNumber "\<\d\+"
syn match campFloat "\<\d\+\.\d\+"
syn match campDuration "\<\d\+[ \t]*\%(minute\|hour\|day\|week\|month\)s\="
syn match campClock "\<\d\d:\d\d\>"
syn match campDatetime "\<\d\{4}-\d\d-\d\d\%(T\d\d:\d\d\%(:\d\d\)\=\%(Z\|[+-]\d\d:\d\d\)\=\| \d\d:\d\d\>\)\="

" Strings: one line each, or """...""" across lines; a quote inside a
" template ends the string, as the lexer reads it (keepend).
syn match campEscapeError contained "\\."
syn match campEscape contained +\\["'\\nt]+
syn region campString start=+"+ skip=+\\.+ end=+"+ end=+$+ keepend contains=campEscape,campEscapeError,campTemplate
syn region campString start=+'+ skip=+\\.+ end=+'+ end=+$+ keepend contains=campEscape,campEscapeError,campTemplate
syn region campString start=+"""+ skip=+\\.+ end=+"""+ keepend contains=campEscape,campEscapeError,campTemplate

" Templates: {{ expr | filter: arg }} inside strings
syn region campTemplate contained oneline matchgroup=campTemplateDelim start="{{" end="}}" contains=@campExpression,campTemplateString,campFilter
syn region campTemplateString contained start=+"+ skip=+\\.+ end=+"+ contains=campEscape
syn region campTemplateString contained start=+'+ skip=+\\.+ end=+'+ contains=campEscape
syn match campFilter contained "|\s*\h\w*" contains=campPipe
syn match campPipe contained "|"

" Expressions
syn match campOperator "==\|!=\|<>\|<=\|>=\|[=<>+*/%-]"
syn match campOperatorWord "\%([[:alnum:]_)\]]\s\+\)\@<=\<div\>\ze\s\+[-[:alnum:]_(]"
syn match campCall "\<\h\w*\ze\s*("
syn match campNamedArg "\<\h\w*\ze\s*:[^:]"
syn match campOperatorWord "\<\%(and\|or\|not\|in\|like\|is\)\>"
syn match campOperatorWord "\<is\>\%(\s\+not\)\=\s\+set\>" contains=campOperatorWordPart
syn match campOperatorWordPart contained "\<\%(is\|not\|set\)\>"
syn match campBoolean "\<\%(true\|false\)\>"
syn match campNull "\<null\>"
syn match campNow "\<now\>"
syn cluster campExpression contains=campNumber,campFloat,campDuration,campClock,campDatetime,campOperator,campCall,campOperatorWord,campBoolean,campNull,campNow

" Declarations: use, model, campaign, list, mailing, initiative, website, sync
syn match campUse "\<use\>\ze\s*[\"']"
syn match campDecl "\<\%(campaign\|list\|mailing\|initiative\|website\|sync\)\>\ze\s\+\h\w*\s*\%([\"'{#]\|$\)" nextgroup=campDeclName skipwhite
syn match campDeclName contained "\h\w*"

" model NAME { FIELD TYPE ... optout FIELD }
syn match campModel "\<model\>\ze\s\+\h\w*\s*\%({\|#\|$\)" nextgroup=campModelName skipwhite
syn match campModelName contained "\h\w*" nextgroup=campModelBlock skipwhite skipnl skipempty
syn region campModelBlock contained matchgroup=campBrace start="{" end="}" contains=campComment,campFieldName,campOptout
syn match campFieldName contained "\<\h\w*\>\ze\s\+\h" nextgroup=campFieldType skipwhite
syn match campFieldType contained "\<\h\w*\>"
syn match campOptout contained "\<optout\>\ze\s\+\h" nextgroup=campFieldRef skipwhite
syn match campFieldRef contained "\<\h\w*\>"

" Activities: email NAME [after D] {, sms ..., action ...
syn match campActivity "\<\%(email\|sms\|action\)\>\ze\s\+\h\w*\s*\%(after\>\|at\>\|{\|#\|$\)" nextgroup=campActivityName skipwhite
syn match campActivityName contained "\h\w*"

" Branches: on [no] done|open|click|reply|bounce|visit; after visit its
" condition, where url like "..." or event "..." (url and event are names
" elsewhere)
syn match campBranch "\<on\>\ze\s\+\%(no\s\+\)\=\%(done\|open\|click\|reply\|bounce\|visit\)\>" nextgroup=campTrigger,campTriggerNo skipwhite
syn match campTriggerNo contained "\<no\>" nextgroup=campTrigger skipwhite
syn match campTrigger contained "\<\%(done\|open\|click\|reply\|bounce\|visit\)\>" nextgroup=campVisitWhere,campVisitEvent skipwhite
syn match campVisitWhere contained "\<where\>\ze\s\+url\s\+like\>" nextgroup=campVisitUrl skipwhite
syn match campVisitUrl contained "\<url\>"
syn match campVisitEvent contained "\<event\>\ze\s*[\"']"

" Delays and windows: after D, within D, expire D
syn match campTiming "\<\%(after\|within\)\>\ze[ \t]*\%(\d\|#\|$\)"
syn match campProperty "\<expire\>\ze[ \t]*\%(\d\|#\|$\)"

" Properties
syn match campProperty "\<\%(subject\|body\|text\|from\|code\)\>\ze\s*[\"']"
syn match campProperty "\<target\>\ze\s\+\h" nextgroup=campDeclName skipwhite
syn match campProperty "\<unique\>\ze\s\+\h" nextgroup=campFieldRef skipwhite
syn match campProperty "\<where\>"
syn match campProperty "\<at\>\ze\s*\%(\d\{4}-\|\d\d:\|#\|$\)"
syn match campProperty "\<to\>\ze\s*\%(list\>\|#\|$\)" nextgroup=campToList skipwhite skipnl
syn match campToList contained "\<list\>" nextgroup=campDeclName skipwhite
syn match campProperty "\<target\>\ze\s\+list\s\+\h" nextgroup=campToList skipwhite
syn match campProperty "\<\%(kind\|scale\)\>\ze\s\+\h" nextgroup=campFieldRef skipwhite
syn match campProperty "\<initiative\>\ze\s\+\h\w*\s*\%(#\|$\)" nextgroup=campDeclName skipwhite
syn match campProperty "\<keep_contacted\>\ze\s\+\%(true\|false\)\>"
syn match campProperty "\<\%(start\|end\)\>\ze\s*\%(\d\{4}-\|#\|$\)"
syn match campProperty "\<budget\>\ze\s*\%(-\|\d\|#\|$\)"
syn match campProperty "\<description\>\ze\s*[\"']"
syn match campProperty "\<\%(site_id\|url\|goal\)\>\ze\s*[\"']"
syn match campProperty "\<identify\>\ze\s\+\h" nextgroup=campFieldRef skipwhite
syn match campProperty "\<link_token\>\ze\s\+\%(true\|false\)\>"

" Syncs: mailchimp audience "...", dotdigital address_book "...", segment "...",
" field [TAG =] FIELD|"template", every D; in a mailing: via mailchimp|dotdigital SYNC
syn match campProperty "\<mailchimp\>\ze\s\+audience\>" nextgroup=campEspWhat skipwhite
syn match campProperty "\<dotdigital\>\ze\s\+address_book\>" nextgroup=campEspWhat skipwhite
syn match campEspWhat contained "\<\%(audience\|address_book\)\>"
syn match campProperty "\<segment\>\ze\s*[\"']"
syn match campProperty "\<field\>\ze\s\+\h\w*\s*\%(=\|#\|$\)" nextgroup=campFieldRef skipwhite
syn match campProperty "\<every\>\ze[ \t]*\%(\d\|#\|$\)"
syn match campProperty "\<via\>\ze\s\+\%(mailchimp\|dotdigital\)\>" nextgroup=campVia skipwhite
syn match campVia contained "\<\%(mailchimp\|dotdigital\)\>" nextgroup=campDeclName skipwhite

" When messages go out: timezone "Zone" | timezone from FIELD, send between
" HH:MM and HH:MM [on DAYS], cap CHANNEL N per D, cap skip|exempt, priority N,
" at DATETIME local
syn match campProperty "\<timezone\>\ze\s*\%([\"']\|from\>\)" nextgroup=campZoneFrom skipwhite
syn match campZoneFrom contained "\<from\>" nextgroup=campFieldRef skipwhite
syn match campProperty "\<send\>\ze\s\+between\>" nextgroup=campBetween skipwhite
syn match campBetween contained "\<between\>"
syn match campProperty "\<on\>\ze\s\+\%(mon\|tue\|wed\|thu\|fri\|sat\|sun\)\>"
syn match campProperty "\<cap\>\ze\s\+\%(skip\|exempt\)\>" nextgroup=campCapMode skipwhite
syn match campCapMode contained "\<\%(skip\|exempt\)\>"
syn match campProperty "\<cap\>\ze\s\+\h\w*\s\+\d\+\s\+per\>"
syn match campProperty "\%(\<cap\s\+\h\w*\s\+\d\+\s\+\)\@<=per\>"
syn match campProperty "\<priority\>\ze\s*\%(\d\|#\|$\)"
syn match campProperty "\%(\d\s\+\)\@<=local\>"

" Branch nodes and A/B tests: split [NAME] { N% { } }, if COND { } else { },
" test N% { variant NAME { } winner by METRIC after D }
syn match campBranchNode "\<split\>\ze\%(\s\+\h\w*\)\=\s*\%({\|#\|$\)" nextgroup=campActivityName skipwhite
syn match campBranchNode "\%(^\s*\|[{}]\s*\)\@<=if\>\ze\s"
syn match campBranchNode "\%(^\s*\|}\s*\)\@<=else\>\ze\s*\%({\|#\|$\)"
syn match campProperty "\<test\>\ze\s*\d\+\s*%"
syn match campActivity "\<variant\>\ze\s\+\h\w*\s*\%({\|#\|$\)" nextgroup=campActivityName skipwhite
syn match campProperty "\<winner\>\ze\s\+by\>" nextgroup=campBy skipwhite
syn match campBy contained "\<by\>" nextgroup=campFieldRef skipwhite

" Tests: test "NAME" { records MODEL { … } | records MODEL from "F" | event KIND on C.A for R
"   | set R.F = V | send MAILING | expect R [not] sent C.A | expect R trace C.A STATE | expect N CHANNEL sent
"   | expect R [not] suppressed [email|sms] | visit [event] "URL" [on WEBSITE] for R
"   | add R to LIST | remove R from LIST | refresh LIST … }
syn match campDecl "\%(^\s*\|[{}]\s*\)\@<=test\>\ze\s*[\"']"
syn match campProperty "\<records\>\ze\s\+\h\w*"
syn match campProperty "\<expect\>"
syn match campProperty "\%(\<expect\s\+\%(\h\w*\|\d\+\s\+\h\w*\)\s\+\%(not\s\+\)\=\)\@<=\%(sent\|trace\|suppressed\)\>"
syn match campFieldRef "\%(\<suppressed[ \t]\+\)\@<=\%(email\|sms\)\>"
syn match campProperty "\%(\<expect\s\+\)\@<=list\>"
syn match campFieldRef "\%(\<expect\s\+\d\+\s\+\)\@<=\h\w*\ze\s\+sent\>" nextgroup=campSent skipwhite
syn match campSent contained "\<sent\>"
syn match campProperty "\%(^\s*\)\@<=event\>\ze\s\+\h\w*"
syn match campProperty "\%(^\s*\)\@<=set\>\ze\s\+\h\w*\s*\."
syn match campProperty "\<send\>\ze[ \t]\+\h\w*\s*\%(#\|}\|$\)"
syn match campProperty "\<visit\>\ze\s\+\%(event\s\+\)\=[\"']"
syn match campProperty "\%(\<visit\s\+\)\@<=event\>\ze\s*[\"']"
syn match campProperty "\%([\"']\s*\)\@<=on\>\ze\s\+\h\w*\s\+for\>"
syn match campProperty "\<add\>\ze\s\+\h\w*\s\+to\>"
syn match campProperty "\%(\<add\s\+\h\w*\s\+\)\@<=to\>"
syn match campProperty "\<remove\>\ze\s\+\h\w*\s\+from\>"
syn match campProperty "\%(\<remove\s\+\h\w*\s\+\)\@<=from\>"
syn match campProperty "\<refresh\>\ze[ \t]\+\h\w*\s*\%(#\|}\|$\)"
syn match campProperty "\<on\>\ze\s\+\h\w*\s*\."
syn match campProperty "\%(\.\s*\h\w*\s\+\)\@<=for\>\ze\s\+\h"

hi def link campTodo Todo
hi def link campComment Comment
hi def link campNumber Number
hi def link campFloat Float
hi def link campDuration Number
hi def link campDatetime Constant
hi def link campString String
hi def link campTemplateString String
hi def link campEscape SpecialChar
hi def link campEscapeError Error
hi def link campTemplate Special
hi def link campTemplateDelim Delimiter
hi def link campFilter Function
hi def link campPipe Operator
hi def link campOperator Operator
hi def link campCall Function
hi def link campNamedArg Identifier
hi def link campOperatorWord Operator
hi def link campOperatorWordPart Operator
hi def link campBoolean Boolean
hi def link campNull Constant
hi def link campNow Constant
hi def link campUse Include
hi def link campDecl Structure
hi def link campSent Keyword
hi def link campDeclName Identifier
hi def link campModel Structure
hi def link campModelName Identifier
hi def link campBrace Delimiter
hi def link campFieldName Identifier
hi def link campFieldType Type
hi def link campOptout Keyword
hi def link campFieldRef Identifier
hi def link campActivity StorageClass
hi def link campActivityName Function
hi def link campBranch Conditional
hi def link campTriggerNo Conditional
hi def link campTrigger Label
hi def link campVisitWhere Keyword
hi def link campVisitUrl Keyword
hi def link campVisitEvent Keyword
hi def link campTiming Keyword
hi def link campProperty Keyword
hi def link campToList Keyword
hi def link campEspWhat Keyword
hi def link campVia Keyword
hi def link campClock Constant
hi def link campZoneFrom Keyword
hi def link campBetween Keyword
hi def link campCapMode Keyword
hi def link campBranchNode Conditional
hi def link campBy Keyword

let b:current_syntax = 'camp'
let &cpo = s:cpo_save
unlet s:cpo_save
