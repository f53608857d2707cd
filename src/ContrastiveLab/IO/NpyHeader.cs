namespace ContrastiveLab.IO;

/// <summary>
/// The parsed header dictionary of a <c>.npy</c> file, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// </summary>
/// <param name="Descr">The dtype descriptor exactly as written.</param>
/// <param name="FortranOrder">Whether the data is stored column-major.</param>
/// <param name="Shape">The dimensions, each ≥ 0.</param>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>
    /// Parses the header strictly: a Python dict literal with exactly the keys descr (a string), fortran_order
    /// (True or False) and shape (a tuple of non-negative ints), in any order, with the spacing and trailing commas
    /// numpy writes, followed by nothing but padding spaces and a newline.
    /// </summary>
    /// <returns>The header, or null with <paramref name="problem"/> saying what is wrong.</returns>
    public static NpyHeader? TryParse(string text, out string problem)
    {
        try
        {
            problem = string.Empty;
            return new Parser(text).ParseHeader();
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public NpyHeader ParseHeader()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            SkipSpace();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (TryTake('}'))
                {
                    break;
                }
                string key = ParseString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr" when descr is null:
                        descr = Peek() == '[' ? throw Fail("structured (record) dtypes are not supported") : ParseString();
                        break;
                    case "fortran_order" when fortran is null:
                        fortran = ParseBool();
                        break;
                    case "shape" when shape is null:
                        shape = ParseShape();
                        break;
                    case "descr" or "fortran_order" or "shape":
                        throw Fail($"key '{key}' appears twice");
                    default:
                        throw Fail($"unexpected key '{key}' (expected descr, fortran_order and shape)");
                }
                SkipSpace();
                if (TryTake('}'))
                {
                    break;
                }
                Expect(',');
            }
            while (_pos < text.Length && text[_pos] is ' ' or '\n' or '\r' or '\t')
            {
                _pos++;
            }
            if (_pos != text.Length)
            {
                throw Fail($"unexpected text after the dictionary at offset {_pos}");
            }
            return new NpyHeader(
                descr ?? throw Fail("key 'descr' is missing"),
                fortran ?? throw Fail("key 'fortran_order' is missing"),
                shape ?? throw Fail("key 'shape' is missing"));
        }

        private long[] ParseShape()
        {
            Expect('(');
            var dims = new List<long>();
            bool trailingComma = false;
            while (true)
            {
                SkipSpace();
                if (TryTake(')'))
                {
                    break;
                }
                dims.Add(ParseInt());
                SkipSpace();
                trailingComma = TryTake(',');
                if (!trailingComma)
                {
                    SkipSpace();
                    Expect(')');
                    break;
                }
            }
            if (dims.Count == 1 && !trailingComma)
            {
                throw Fail("shape must be a tuple, e.g. (5,), not a parenthesised number");
            }
            return [.. dims];
        }

        private long ParseInt()
        {
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                _pos++;
            }
            if (_pos == start)
            {
                throw Fail($"expected a non-negative integer in shape at offset {start}");
            }
            string digits = text[start.._pos];
            TryTake('L'); // Python 2 era files write long integers as 5L.
            return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw Fail($"dimension {digits} is too large");
        }

        private bool ParseBool()
        {
            if (text.AsSpan(_pos).StartsWith("True", StringComparison.Ordinal))
            {
                _pos += 4;
                return true;
            }
            if (text.AsSpan(_pos).StartsWith("False", StringComparison.Ordinal))
            {
                _pos += 5;
                return false;
            }
            throw Fail($"expected True or False at offset {_pos}");
        }

        private string ParseString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Fail($"expected a quoted string at offset {_pos}");
            }
            int start = ++_pos;
            int end = text.IndexOf(quote, start);
            if (end < 0)
            {
                throw Fail("unterminated string");
            }
            string value = text[start..end];
            if (value.Contains('\\', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw Fail("escape sequences are not supported in header strings");
            }
            _pos = end + 1;
            return value;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private bool TryTake(char c)
        {
            if (Peek() != c)
            {
                return false;
            }
            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Fail(_pos < text.Length ? $"expected '{c}' at offset {_pos}, found {Show(text[_pos])}" : $"expected '{c}', header ended");
            }
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t')
            {
                _pos++;
            }
        }

        private static FormatException Fail(string message) => new($"bad header: {message}");

        /// <summary>A character quoted for a one-line message: control characters as escapes.</summary>
        private static string Show(char c) => c switch
        {
            '\n' => "'\\n'",
            '\r' => "'\\r'",
            '\t' => "'\\t'",
            < ' ' or > '~' => $"U+{(int)c:X4}",
            _ => $"'{c}'",
        };
    }
}
