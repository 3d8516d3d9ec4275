using System.Globalization;
using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// Parses template tokens into nodes: text, <c>{{ expression }}</c>, and the statements <c>if/elif/else</c>,
/// <c>for</c> (with <c>else</c> and a filtering <c>if</c>), <c>set</c> (also block set), <c>macro</c>,
/// <c>break</c> and <c>continue</c>; expressions with the reference's precedence.
/// </summary>
internal sealed class TemplateParser
{
    private readonly List<TemplateToken> tokens;
    private readonly TemplateSource source;
    private int current;

    private TemplateParser(List<TemplateToken> tokens, TemplateSource source)
    {
        this.tokens = tokens;
        this.source = source;
    }

    public static List<TemplateNode> Parse(TemplateSource source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source), source);
        var body = new List<TemplateNode>();
        while (parser.current < parser.tokens.Count) body.Add(parser.ParseAny());
        return body;
    }

    private TemplateToken Token => current < tokens.Count ? tokens[current]
        : throw Error("the template ends before this tag or expression is complete");

    private int Here => current < tokens.Count ? tokens[current].Position : source.Text.Length;

    private LoomDataException Error(string problem, int? at = null) =>
        new($"chat template {source.Describe(at ?? Here)}: {problem}");

    private bool Is(TokenKind kind) => current < tokens.Count && tokens[current].Kind == kind;

    private bool IsName(string name, int ahead = 0) =>
        current + ahead < tokens.Count && tokens[current + ahead].Kind == TokenKind.Identifier && tokens[current + ahead].Value == name;

    private bool IsStatement(params string[] names) =>
        Is(TokenKind.OpenStatement) && current + 1 < tokens.Count && tokens[current + 1].Kind == TokenKind.Identifier
        && names.Contains(tokens[current + 1].Value);

    private TemplateToken Expect(TokenKind kind, string what)
    {
        var token = Token;
        if (token.Kind != kind) throw Error($"expected {what}, found {Describe(token)}");
        current++;
        return token;
    }

    private void ExpectName(string name)
    {
        if (!IsName(name)) throw Error($"expected '{name}', found {Describe(Token)}");
        current++;
    }

    private static string Describe(TemplateToken token) => token.Kind switch
    {
        TokenKind.Text => "text",
        TokenKind.String => "a string",
        _ => $"'{token.Value}'",
    };

    private TemplateNode ParseAny()
    {
        var token = Token;
        switch (token.Kind)
        {
            case TokenKind.Comment: current++; return new CommentNode(token.Position);
            case TokenKind.Text: current++; return new TextNode(token.Position, token.Value);
            case TokenKind.OpenStatement: return ParseStatement();
            case TokenKind.OpenExpression:
                current++;
                var expression = ParseExpression();
                Expect(TokenKind.CloseExpression, "'}}'");
                return new OutputNode(token.Position, expression);
            default: throw Error($"unexpected {Describe(token)}");
        }
    }

    private List<TemplateNode> ParseUntil(params string[] statements)
    {
        var body = new List<TemplateNode>();
        while (!IsStatement(statements))
        {
            if (current >= tokens.Count) throw Error($"missing {{% {statements[^1]} %}}");
            body.Add(ParseAny());
        }
        return body;
    }

    private void ExpectEnd(string name)
    {
        Expect(TokenKind.OpenStatement, "'{%'");
        ExpectName(name);
        Expect(TokenKind.CloseStatement, "'%}'");
    }

    private TemplateNode ParseStatement()
    {
        int at = Expect(TokenKind.OpenStatement, "'{%'").Position;
        if (!Is(TokenKind.Identifier)) throw Error($"expected a statement name after '{{%', found {Describe(Token)}");
        string name = Token.Value;
        current++;
        switch (name)
        {
            case "set": return ParseSet(at);
            case "if":
                var branch = ParseIf(at);
                ExpectEnd("endif");
                return branch;
            case "for":
                var loop = ParseFor(at);
                ExpectEnd("endfor");
                return loop;
            case "macro":
                var macro = ParseMacro(at);
                ExpectEnd("endmacro");
                return macro;
            case "break":
                Expect(TokenKind.CloseStatement, "'%}'");
                return new BreakNode(at);
            case "continue":
                Expect(TokenKind.CloseStatement, "'%}'");
                return new ContinueNode(at);
            default: throw Error($"unknown statement '{name}'", at);
        }
    }

    private TemplateNode ParseSet(int at)
    {
        var target = ParseSequence(primary: false);
        if (Is(TokenKind.Equals))
        {
            current++;
            var value = ParseSequence(primary: false);
            Expect(TokenKind.CloseStatement, "'%}'");
            return new SetNode(at, target, value, []);
        }
        Expect(TokenKind.CloseStatement, "'=' or '%}'");
        var body = ParseUntil("endset");
        ExpectEnd("endset");
        return new SetNode(at, target, null, body);
    }

    private IfNode ParseIf(int at)
    {
        var test = ParseExpression();
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseUntil("elif", "else", "endif");
        var otherwise = new List<TemplateNode>();
        if (IsStatement("elif"))
        {
            int elif = Token.Position;
            current += 2;
            otherwise.Add(ParseIf(elif));
        }
        else if (IsStatement("else"))
        {
            current += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            otherwise = ParseUntil("endif");
        }
        return new IfNode(at, test, body, otherwise);
    }

    private ForNode ParseFor(int at)
    {
        var target = ParseSequence(primary: true);
        if (target is not NameNode and not ListNode { IsTuple: true })
            throw Error("expected a name or names after 'for'", target.Position);
        if (!IsName("in")) throw Error($"expected 'in' after the loop variable, found {Describe(Token)}");
        current++;
        var iterable = ParseExpression();
        TemplateNode? filter = null;
        if (iterable is ConditionalNode { WhenFalse: null } select)
        {
            iterable = select.WhenTrue;
            filter = select.Test;
        }
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseUntil("endfor", "else");
        var otherwise = new List<TemplateNode>();
        if (IsStatement("else"))
        {
            current += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            otherwise = ParseUntil("endfor");
        }
        return new ForNode(at, target, iterable, filter, body, otherwise);
    }

    private MacroNode ParseMacro(int at)
    {
        var name = ParsePrimary();
        if (name is not NameNode macroName) throw Error("expected the macro's name", name.Position);
        var parameters = ParseArguments();
        if (parameters.Any(p => p is not NameNode and not KeywordArgumentNode))
            throw Error("macro parameters must be names, optionally with defaults", at);
        Expect(TokenKind.CloseStatement, "'%}'");
        return new MacroNode(at, macroName.Name, parameters, ParseUntil("endmacro"));
    }

    private TemplateNode ParseSequence(bool primary)
    {
        int at = Here;
        var first = primary ? ParsePrimary() : ParseExpression();
        if (!Is(TokenKind.Comma)) return first;
        var items = new List<TemplateNode> { first };
        while (Is(TokenKind.Comma))
        {
            current++;
            items.Add(primary ? ParsePrimary() : ParseExpression());
        }
        return new ListNode(at, items, IsTuple: true);
    }

    private TemplateNode ParseExpression()
    {
        var value = ParseOr();
        if (!IsName("if")) return value;
        current++;
        var test = ParseOr();
        if (!IsName("else")) return new ConditionalNode(value.Position, test, value, null);
        current++;
        return new ConditionalNode(value.Position, test, value, ParseExpression());
    }

    private TemplateNode ParseOr() => ParseBinaryNames(ParseAnd, "or");

    private TemplateNode ParseAnd() => ParseBinaryNames(ParseNot, "and");

    private TemplateNode ParseBinaryNames(Func<TemplateNode> operand, string name)
    {
        var left = operand();
        while (IsName(name))
        {
            current++;
            left = new BinaryNode(left.Position, name, left, operand());
        }
        return left;
    }

    private TemplateNode ParseNot()
    {
        if (!IsName("not")) return ParseComparison();
        int at = Token.Position;
        current++;
        return new UnaryNode(at, "not", ParseNot());
    }

    private TemplateNode ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            string op;
            if (IsName("not") && IsName("in", 1)) { op = "not in"; current += 2; }
            else if (IsName("in")) { op = "in"; current++; }
            else if (Is(TokenKind.Comparison)) op = tokens[current++].Value;
            else return left;
            left = new BinaryNode(left.Position, op, left, ParseAdditive());
        }
    }

    private TemplateNode ParseAdditive() => ParseBinaryKind(ParseMultiplicative, TokenKind.Additive);

    private TemplateNode ParseMultiplicative() => ParseBinaryKind(ParsePower, TokenKind.Multiplicative);

    private TemplateNode ParsePower() => ParseBinaryKind(ParseTest, TokenKind.Power);

    private TemplateNode ParseBinaryKind(Func<TemplateNode> operand, TokenKind kind)
    {
        var left = operand();
        while (Is(kind))
        {
            string op = tokens[current++].Value;
            left = new BinaryNode(left.Position, op, left, operand());
        }
        return left;
    }

    private TemplateNode ParseTest()
    {
        var operand = ParseFilter();
        while (IsName("is"))
        {
            current++;
            bool negated = IsName("not");
            if (negated) current++;
            if (ParsePrimary() is not NameNode test) throw Error("expected a test name after 'is'");
            operand = new TestNode(operand.Position, operand, negated, test.Name);
        }
        return operand;
    }

    private TemplateNode ParseFilter()
    {
        var operand = ParseUnary();
        while (Is(TokenKind.Pipe))
        {
            current++;
            if (ParsePrimary() is not NameNode filter) throw Error("expected a filter name after '|'");
            var arguments = Is(TokenKind.OpenParen) ? ParseArguments() : null;
            operand = new FilterNode(filter.Position, operand, filter.Name, arguments);
        }
        return operand;
    }

    private TemplateNode ParseUnary()
    {
        if (current < tokens.Count && Token.Kind is TokenKind.Unary or TokenKind.Additive && Token.Value is "-" or "+")
        {
            var op = tokens[current++];
            return new UnaryNode(op.Position, op.Value, ParseUnary());
        }
        var value = ParseMembers(ParsePrimary());
        while (Is(TokenKind.OpenParen)) value = ParseMembers(new CallNode(value.Position, value, ParseArguments()));
        return value;
    }

    private List<TemplateNode> ParseArguments()
    {
        Expect(TokenKind.OpenParen, "'('");
        var arguments = new List<TemplateNode>();
        while (!Is(TokenKind.CloseParen))
        {
            var argument = ParseExpression();
            if (Is(TokenKind.Equals))
            {
                current++;
                if (argument is not NameNode name) throw Error("expected a name before '=' in the arguments", argument.Position);
                argument = new KeywordArgumentNode(argument.Position, name.Name, ParseExpression());
            }
            else if (arguments.Any(a => a is KeywordArgumentNode))
                throw Error("positional arguments must come before keyword arguments", argument.Position);
            arguments.Add(argument);
            if (Is(TokenKind.Comma)) current++;
        }
        current++;
        return arguments;
    }

    private TemplateNode ParseMembers(TemplateNode target)
    {
        while (Is(TokenKind.Dot) || Is(TokenKind.OpenBracket))
        {
            bool computed = tokens[current++].Kind == TokenKind.OpenBracket;
            if (computed)
            {
                var key = ParseSubscript();
                Expect(TokenKind.CloseBracket, "']'");
                target = new MemberNode(target.Position, target, key, true);
                continue;
            }
            var property = ParsePrimary();
            if (property is not NameNode and not ConstantNode { Value: IntValue })
                throw Error("expected a name or an integer after '.'", property.Position);
            target = new MemberNode(target.Position, target, property, false);
        }
        return target;
    }

    private TemplateNode ParseSubscript()
    {
        int at = Here;
        var parts = new List<TemplateNode?>();
        bool isSlice = false;
        while (!Is(TokenKind.CloseBracket))
        {
            if (Is(TokenKind.Colon))
            {
                parts.Add(null);
                current++;
                isSlice = true;
                continue;
            }
            parts.Add(ParseExpression());
            if (Is(TokenKind.Colon)) { current++; isSlice = true; }
        }
        if (parts.Count == 0) throw Error("expected an index or a slice inside '[]'", at);
        if (!isSlice) return parts[0]!;
        if (parts.Count > 3) throw Error("a slice takes at most three parts", at);
        return new SliceNode(at, parts[0], parts.ElementAtOrDefault(1), parts.ElementAtOrDefault(2));
    }

    private TemplateNode ParsePrimary()
    {
        var token = Token;
        current++;
        switch (token.Kind)
        {
            case TokenKind.Number:
                double number = double.Parse(token.Value, CultureInfo.InvariantCulture);
                return new ConstantNode(token.Position, token.Value.Contains('.') ? new FloatValue(number)
                    : long.TryParse(token.Value, CultureInfo.InvariantCulture, out long integer) ? new IntValue(integer)
                    : new FloatValue(number));
            case TokenKind.String:
                string text = token.Value;
                while (Is(TokenKind.String)) text += tokens[current++].Value;
                return new ConstantNode(token.Position, new StringValue(text));
            case TokenKind.Identifier: return new NameNode(token.Position, token.Value);
            case TokenKind.OpenParen:
                var inner = ParseSequence(primary: false);
                Expect(TokenKind.CloseParen, "')'");
                return inner;
            case TokenKind.OpenBracket:
                var items = new List<TemplateNode>();
                while (!Is(TokenKind.CloseBracket))
                {
                    items.Add(ParseExpression());
                    if (Is(TokenKind.Comma)) current++;
                }
                current++;
                return new ListNode(token.Position, items, IsTuple: false);
            case TokenKind.OpenBrace:
                var entries = new List<(TemplateNode, TemplateNode)>();
                while (!Is(TokenKind.CloseBrace))
                {
                    var key = ParseExpression();
                    Expect(TokenKind.Colon, "':' between a key and its value");
                    entries.Add((key, ParseExpression()));
                    if (Is(TokenKind.Comma)) current++;
                }
                current++;
                return new DictNode(token.Position, entries);
            default: throw Error($"unexpected {Describe(token)}", token.Position);
        }
    }
}
