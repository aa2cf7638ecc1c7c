#!/usr/bin/env python3
"""hcl-pure: the provider-free part of Terraform files, for `terraform console`.

    hcl-pure.py OUT.tf FILE.tf...

Copies every top-level `variable` block of the files, and every `locals`
block that refers to no data source and no resource (no `data.` and no
`vsphere_`/`aws_`/`google_`/`azurerm_`/`tencentcloud_` name in it), into
OUT.tf, in order.  What is copied needs no provider, so `terraform console`
evaluates those locals offline, without `terraform init`, where the provider
(hashicorp/vsphere, hashicorp/google, hashicorp/azurerm,
tencentcloudstack/tencentcloud, which the offline mirror lacks) cannot be
installed (tests/e2e/87-vsphere-tf.sh, 92-gcp-tf.sh, 96-azure-tf.sh,
99-tencent-tf.sh).

The reader knows what it must to find a block's end: quoted strings with
escapes and ${ } / %{ } templates (nested strings in them), comments (#, //,
/* */); not heredocs, which are refused.  Exit status 0, or 1 with the
file and line of what it cannot read.
"""
import re
import sys

IMPURE = re.compile(r"\bdata\.|\b(vsphere|aws|google|azurerm|tencentcloud)_[a-z_]+\.")
BLOCK = re.compile(r'^(variable\s+"[^"]*"|locals|[a-z_]+(\s+"[^"]*")*)\s*\{\s*$')


def fail(path, line, what):
    sys.stderr.write("hcl-pure: %s:%d: %s\n" % (path, line, what))
    sys.exit(1)


def block_end(text, i, path):
    """Index just past the '}' that closes the '{' at text[i]."""
    stack = ["{"]  # "{" expression braces, '"' string, "${" template
    i += 1
    n = len(text)
    while i < n:
        c = text[i]
        top = stack[-1]
        if top == '"':
            if c == "\\":
                i += 2
                continue
            if c in "$%" and text[i + 1:i + 2] == "{":
                if text[i - 1:i] == c:  # $${ and %%{ are literal
                    i += 2
                    continue
                stack.append("${")
                i += 2
                continue
            if c == '"':
                stack.pop()
            elif c == "\n":
                fail(path, text.count("\n", 0, i) + 1, "newline in a string")
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                fail(path, text.count("\n", 0, i) + 1, "unterminated comment")
            i = j + 2
            continue
        if text.startswith("<<", i):
            fail(path, text.count("\n", 0, i) + 1, "heredocs are not read")
        if c == '"':
            stack.append('"')
        elif c == "{":
            stack.append("{")
        elif c == "}":
            stack.pop()
            if not stack:
                return i + 1
        i += 1
    fail(path, text.count("\n") + 1, "block not closed")
    return n


def pure_blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    i = 0
    while i < len(text):
        j = text.find("\n", i)
        j = len(text) if j < 0 else j
        line = text[i:j]
        m = BLOCK.match(line)
        if m:
            brace = text.index("{", i)
            end = block_end(text, brace, path)
            block = text[i:end]
            head = m.group(1)
            if head.startswith("variable") or (
                    head == "locals" and not IMPURE.search(block)):
                out.append(block)
            i = end
            continue
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "//")):
            fail(path, text.count("\n", 0, i) + 1,
                 "not a top-level block: " + stripped[:40])
        i = j + 1
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: hcl-pure.py OUT.tf FILE.tf...\n")
        return 2
    blocks = []
    for path in argv[2:]:
        blocks += pure_blocks(path)
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write("\n\n".join(blocks) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
