"""Console output in the style of the real framework (boxes, step titles)."""


def boxed_message(lines, character="+", maxlength=80):
    """Lines in a box: a line of ``+``, ``+++  <text>  +++`` lines, a line of ``+``.

    Lines longer than ``maxlength`` are wrapped on spaces; embedded newlines start new lines.
    """
    corrected = []
    for line in (part for text in lines for part in str(text).split("\n")):
        if len(line) <= maxlength:
            corrected.append(line)
            continue
        current = ""
        for word in line.split(" "):
            if len(current + " " + word) <= maxlength:
                current += word + " "
            else:
                if current:
                    corrected.append(current.strip())
                current = word + " "
        if current:
            corrected.append(current.strip())
    width = len(max(corrected, key=len))
    border = character * (width + 10)
    body = [f"{character * 3}  {line}{' ' * (width - len(line))}  {character * 3}" for line in corrected]
    return "\n".join([border] + body + [border])


def box(*lines):
    print(boxed_message(lines), flush=True)


def title(message):
    print(f"\n+++ {message} +++\n", flush=True)


def say(message):
    print(message, flush=True)


def ask_yesno(message):
    """``Interactive.ask_yesno(message, default_value=False)``: ``<message> (y/[n]): ``; y/yes
    is yes, n/no or nothing the default no, anything else asks again; end of input is no."""
    while True:
        try:
            answer = input(f"{message} (y/[n]): ").rstrip("\r")
        except EOFError:
            print(flush=True)
            return False
        if answer.lower() in ("y", "yes"):
            return True
        if answer.lower() in ("", "n", "no"):
            return False
        print("Illegal value. Press 'y' or 'n' (or nothing for default).", flush=True)
