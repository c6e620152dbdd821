" tests/editors/vimcheck.vim -- Vim's side of tests/suite_editors.sh:
"
"   VIMRTP=editors/vim FILES='a.camp b.camp' POS=positions OUT=result \
"     vim -u NONE -i NONE -N -es -S tests/editors/vimcheck.vim
"
" Owns: opening each of $FILES with editors/vim on the runtimepath (filetype
" detection, ftplugin and syntax), and naming the highlight group at each
" position of $POS.  Does not own: what counts as right (the suite).
" Writes $OUT: 'ok FILE' or 'FAIL FILE: why' per file, then for each line
" 'FILE LINE COL WORD' of $POS: 'at FILE:LINE:COL WORD GROUP LINK', where
" LINK is the group GROUP links to.
let s:out = []
execute 'set runtimepath^=' . fnameescape(fnamemodify($VIMRTP, ':p'))
filetype plugin on
syntax on

function! s:open(file) abort
  let v:errmsg = ''
  try
    execute 'edit ' . fnameescape(a:file)
    " force the syntax items to be computed for the whole buffer
    call synID(line('$'), 1, 1)
  catch
    return v:exception
  endtry
  if v:errmsg !=# ''
    return v:errmsg
  elseif &filetype !=# 'camp'
    return "filetype is '" . &filetype . "'"
  elseif get(b:, 'current_syntax', '') !=# 'camp'
    return 'syntax/camp.vim was not loaded'
  elseif &commentstring !=# '# %s'
    return 'ftplugin/camp.vim was not loaded'
  endif
  return ''
endfunction

for s:f in split($FILES)
  let s:why = s:open(s:f)
  call add(s:out, (s:why ==# '' ? 'ok ' . s:f : 'FAIL ' . s:f . ': ' . s:why))
endfor

let s:current = ''
for s:l in ($POS ==# '' ? [] : readfile($POS))
  let [s:file, s:line, s:col, s:word] = split(s:l)
  if s:file !=# s:current
    call s:open(s:file)
    let s:current = s:file
  endif
  let s:name = synIDattr(synID(str2nr(s:line), str2nr(s:col), 1), 'name')
  let s:link = s:name ==# '' ? '-' : matchstr(execute('highlight ' . s:name), 'links to \zs\w\+')
  call add(s:out, printf('at %s:%s:%s %s %s %s', s:file, s:line, s:col, s:word,
        \ s:name ==# '' ? '-' : s:name, s:link ==# '' ? '-' : s:link))
endfor

call writefile(s:out, $OUT)
qall!
