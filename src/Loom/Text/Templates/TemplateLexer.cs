using System.Globalization;
using System.Text;
using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// Splits a prepared template (<see cref="TemplateSource"/>) into text, tags and expression tokens, applying the
/// whitespace control of <c>{%-</c>, <c>-%}</c>, <c>{{-</c>, <c>-}}</c>, <c>{#-</c> and <c>-#}</c>.
/// </summary>
internal sealed class TemplateLexer
{
    private static readonly (string Text, TokenKind Kind)[] Symbols =
    [
        ("{%", TokenKind.OpenStatement), ("%}", TokenKind.CloseStatement), ("{{", TokenKind.OpenExpression),
        ("}}", TokenKind.CloseExpression), ("(", TokenKind.OpenParen), (")", TokenKind.CloseParen), ("{", TokenKind.OpenBrace),
        ("}", TokenKind.CloseBrace), ("[", TokenKind.OpenBracket), ("]", TokenKind.CloseBracket), (",", TokenKind.Comma),
        (".", TokenKind.Dot), (":", TokenKind.Colon), ("|", TokenKind.Pipe), ("<=", TokenKind.Comparison),
        (">=", TokenKind.Comparison), ("==", TokenKind.Comparison), ("!=", TokenKind.Comparison), ("<", TokenKind.Comparison),
        (">", TokenKind.Comparison), ("+", TokenKind.Additive), ("-", TokenKind.Additive), ("~", TokenKind.Additive),
        ("**", TokenKind.Power), ("*", TokenKind.Multiplicative), ("//", TokenKind.Multiplicative),
        ("/", TokenKind.Multiplicative), ("%", TokenKind.Multiplicative), ("=", TokenKind.Equals),
    ];

    private readonly TemplateSource source;
    private readonly string src;
    private readonly List<TemplateToken> tokens = [];
    private int pos;
    private int braceDepth;

    private TemplateLexer(TemplateSource source)
    {
        this.source = source;
        src = source.Text;
    }

    public static List<TemplateToken> Tokenize(TemplateSource source) => new TemplateLexer(source).Run();

    private TokenKind? LastKind => tokens.Count == 0 ? null : tokens[^1].Kind;

    private LoomDataException Error(string problem, int at) =>
        new($"chat template {source.Describe(at)}: {problem}");

    private List<TemplateToken> Run()
    {
        while (pos < src.Length)
        {
            if (LastKind is null or TokenKind.CloseStatement or TokenKind.CloseExpression or TokenKind.Comment && ReadText())
                continue;
            if (src[pos] == '{' && ReadTagOpening()) continue;
            SkipWhitespace(mustNotEnd: true);
            ReadExpressionToken();
        }
        return tokens;
    }

    private bool ReadText()
    {
        int end = pos;
        while (true)
        {
            end = src.IndexOf('{', end);
            if (end < 0) { end = src.Length; break; }
            char next = end + 1 < src.Length ? src[end + 1] : '\0';
            if (next is '%' or '{' or '#') break;
            end++;
        }
        if (end <= pos) return false;
        tokens.Add(new TemplateToken(TokenKind.Text, src[pos..end], pos));
        pos = end;
        return true;
    }

    private bool ReadTagOpening()
    {
        char next = Peek(1);
        if (next == '#')
        {
            int start = pos;
            pos += 2;
            bool stripBefore = Peek(0) == '-';
            if (stripBefore) pos++;
            int end = src.IndexOf("#}", pos, StringComparison.Ordinal);
            if (end < 0) throw Error("a comment {# is never closed with #}", start);
            string comment = src[pos..end];
            bool stripAfter = comment.EndsWith('-');
            if (stripBefore) StripTrailingWhitespace();
            tokens.Add(new TemplateToken(TokenKind.Comment, stripAfter ? comment[..^1] : comment, start));
            pos = end + 2;
            if (stripAfter) SkipWhitespace(mustNotEnd: false);
            return true;
        }
        if (Peek(2) == '-' && next is '%' or '{')
        {
            StripTrailingWhitespace();
            tokens.Add(new TemplateToken(next == '%' ? TokenKind.OpenStatement : TokenKind.OpenExpression, "{" + next, pos));
            if (next == '{') braceDepth = 0;
            pos += 3;
            return true;
        }
        return false;
    }

    private void ReadExpressionToken()
    {
        char c = src[pos];
        if (c == '-' && Peek(2) == '}' && Peek(1) is '%' or '}')
        {
            tokens.Add(new TemplateToken(Peek(1) == '%' ? TokenKind.CloseStatement : TokenKind.CloseExpression, Peek(1) + "}", pos));
            pos += 3;
            SkipWhitespace(mustNotEnd: false);
            return;
        }
        if (c is '-' or '+' && ReadSignedNumber(c)) return;
        foreach (var (text, kind) in Symbols)
        {
            if (text == "}}" && braceDepth > 0) continue;
            if (string.CompareOrdinal(src, pos, text, 0, text.Length) != 0) continue;
            tokens.Add(new TemplateToken(kind, text, pos));
            if (kind == TokenKind.OpenExpression) braceDepth = 0;
            else if (kind == TokenKind.OpenBrace) braceDepth++;
            else if (kind == TokenKind.CloseBrace) braceDepth--;
            pos += text.Length;
            return;
        }
        if (c is '\'' or '"') { ReadString(c); return; }
        if (char.IsAsciiDigit(c)) { ReadNumber(); return; }
        if (IsWordChar(c))
        {
            int start = pos;
            while (pos < src.Length && IsWordChar(src[pos])) pos++;
            tokens.Add(new TemplateToken(TokenKind.Identifier, src[start..pos], start));
            return;
        }
        throw Error($"unexpected character '{c}'", pos);
    }

    /// <summary>A '-' or '+' where a value is expected: a signed number literal or a unary operator.</summary>
    private bool ReadSignedNumber(char sign)
    {
        if (LastKind is null or TokenKind.Text) throw Error($"unexpected character '{sign}'", pos);
        if (LastKind is TokenKind.Identifier or TokenKind.Number or TokenKind.String or TokenKind.CloseParen
            or TokenKind.CloseBracket) return false;
        int start = pos++;
        string digits = ReadDigits();
        if (digits.Length > 0 && Peek(0) == '.' && char.IsAsciiDigit(Peek(1)))
        {
            pos++;
            digits += "." + ReadDigits();
        }
        tokens.Add(new TemplateToken(digits.Length > 0 ? TokenKind.Number : TokenKind.Unary, sign + digits, start));
        return true;
    }

    private void ReadNumber()
    {
        int start = pos;
        string digits = ReadDigits();
        if (LastKind != TokenKind.Dot && Peek(0) == '.' && char.IsAsciiDigit(Peek(1)))
        {
            pos++;
            digits += "." + ReadDigits();
        }
        tokens.Add(new TemplateToken(TokenKind.Number, digits, start));
    }

    private string ReadDigits()
    {
        int start = pos;
        while (pos < src.Length && char.IsAsciiDigit(src[pos])) pos++;
        if (pos >= src.Length) throw Error("the template ends inside an expression", start);
        return src[start..pos];
    }

    private void ReadString(char quote)
    {
        int start = pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (pos >= src.Length) throw Error("a string literal is never closed", start);
            char c = src[pos++];
            if (c == quote) break;
            if (c != '\\') { value.Append(c); continue; }
            if (pos >= src.Length) throw Error("a string literal is never closed", start);
            char escaped = src[pos++];
            if (escaped is 'x' or 'u')
            {
                int length = escaped == 'x' ? 2 : 4;
                string hex = pos + length <= src.Length ? src.Substring(pos, length) : "";
                if (hex.Length != length || !hex.All(char.IsAsciiHexDigit))
                    throw Error($"invalid escape \\{escaped}{hex}", pos - 2);
                value.Append((char)int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                pos += length;
                continue;
            }
            value.Append(escaped switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\b',
                'f' => '\f',
                'v' => '\v',
                '\'' or '"' or '\\' => escaped,
                _ => throw Error($"unknown escape \\{escaped} in a string literal", pos - 2),
            });
        }
        tokens.Add(new TemplateToken(TokenKind.String, value.ToString(), start));
    }

    private void StripTrailingWhitespace()
    {
        if (LastKind != TokenKind.Text) return;
        var last = tokens[^1];
        last.Value = JsText.TrimEnd(last.Value);
        if (last.Value.Length == 0) tokens.RemoveAt(tokens.Count - 1);
    }

    private void SkipWhitespace(bool mustNotEnd)
    {
        while (pos < src.Length && JsText.IsWhitespace(src[pos])) pos++;
        if (mustNotEnd && pos >= src.Length) throw Error("the template ends inside a tag", src.Length);
    }

    private char Peek(int offset) => pos + offset < src.Length ? src[pos + offset] : '\0';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
