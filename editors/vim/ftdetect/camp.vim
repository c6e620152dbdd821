" editors/vim/ftdetect/camp.vim -- files ending in .camp are camp source.
au BufRead,BufNewFile *.camp setfiletype camp
