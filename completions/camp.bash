# completions/camp.bash -- bash completion for camp(1).
#
# Installed as share/bash-completion/completions/camp (loaded on demand by
# bash-completion), or sourced from ~/.bashrc.  The words come from camp
# itself (`camp complete`, a hidden command): the commands, each command's
# options from its option table, and campaign and activity names from the
# database (--db on the line, else $CAMP_DB, else ./camp.db; none: nothing).

# _camp_words CAMP ARGS...: what `CAMP complete ARGS...` prints, quietly
_camp_words() { "$@" 2> /dev/null; }

# _camp_values CAMP CMD OPTION: the fixed values of OPTION for CMD, if any
_camp_values() {
  case $3 in
    --color) echo "auto always never" ;;
    --channel) echo "email sms" ;;
    --format)
      # from the command's own help: "table (default), json or csv"
      local line
      line=$(_camp_words "$1" complete options "$2" | while IFS=$'\t' read -r o v h; do [ "$o" = --format ] && echo "$h"; done)
      case $line in *" or "*) line=${line//(default)/}; line=${line//,/ }; echo "${line// or / }" ;; esac ;;
  esac
}

_camp() {
  local camp=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= db= campaign= i w
  # bash splits --opt=value at '=': put the pieces back
  if [ "$cur" = "=" ]; then cur=; prev=${COMP_WORDS[COMP_CWORD-1]}
  elif [ "$COMP_CWORD" -ge 2 ] && [ "${COMP_WORDS[COMP_CWORD-1]}" = "=" ]; then prev=${COMP_WORDS[COMP_CWORD-2]}
  elif [ "$COMP_CWORD" -ge 1 ]; then prev=${COMP_WORDS[COMP_CWORD-1]}
  fi
  # the command, the database and the first operand typed so far
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
      --db) db=${COMP_WORDS[i+1]}; [ "$db" = "=" ] && db=${COMP_WORDS[i+2]} ;;
      --db=*) db=${w#--db=} ;;
      -*|=) ;;
      *)
        if [ -z "$cmd" ]; then cmd=$w
        elif [ "${COMP_WORDS[i-1]}" != "=" ] && ! _camp_takes_value "$camp" "$cmd" "${COMP_WORDS[i-1]}" && [ -z "$campaign" ]; then campaign=$w
        fi ;;
    esac
  done
  [ -z "$db" ] && db=${CAMP_DB:-}
  local dbarg=()
  [ -n "$db" ] && dbarg=(--db "$db")
  COMPREPLY=()
  if [ -z "$cmd" ]; then
    case $cur in
      -*) COMPREPLY=($(compgen -W "--help --version" -- "$cur")) ;;
      *) COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete commands)" -- "$cur")) ;;
    esac
    return 0
  fi
  # the value of an option
  if [[ $prev == -* ]] && _camp_takes_value "$camp" "$cmd" "$prev"; then
    case $prev in
      --db|--file|--output|-o|--from|--to) COMPREPLY=($(compgen -f -- "$cur")) ;;
      --root) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --run) [ -n "$campaign" ] && COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete "${dbarg[@]}" activities "$campaign")" -- "$cur")) ;;
      *) COMPREPLY=($(compgen -W "$(_camp_values "$camp" "$cmd" "$prev")" -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete options "$cmd" | cut -f1)" -- "$cur"))
    return 0
  fi
  # operands
  case $cmd in
    start|stop|report|timeline|send)
      COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete "${dbarg[@]}" campaigns)" -- "$cur")) ;;
    graph|test)
      COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete "${dbarg[@]}" campaigns)" -- "$cur") $(compgen -f -- "$cur")) ;;
    event) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "open click reply bounce unsubscribe abuse visit" -- "$cur")) ;;
    suppress) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "list add remove" -- "$cur")) ;;
    list) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "show add remove undo-remove subscribe unsubscribe refresh log" -- "$cur")) ;;
    secret) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "rotate retire" -- "$cur")) ;;
    website) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "snippet token auth list" -- "$cur")) ;;
    config) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "sender timezone window.email window.sms cap.email cap.sms" -- "$cur")) ;;
    help) [ -z "$campaign" ] && COMPREPLY=($(compgen -W "$(_camp_words "$camp" complete commands)" -- "$cur")) ;;
    version|init|serve|complete|lists|websites|sync|migrate) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
  return 0
}

# _camp_takes_value CAMP CMD OPTION: OPTION takes a value in CMD
_camp_takes_value() {
  case $3 in -o) return 0 ;; -*) ;; *) return 1 ;; esac
  local o v h
  while IFS=$'\t' read -r o v h; do
    [ "$o" = "$3" ] && [ -n "$v" ] && return 0
  done < <(_camp_words "$1" complete options "$2")
  return 1
}

complete -F _camp camp
