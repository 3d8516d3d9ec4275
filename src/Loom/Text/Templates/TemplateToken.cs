namespace Loom.Text.Templates;

/// <summary>What a <see cref="TemplateToken"/> is.</summary>
internal enum TokenKind
{
    Text, Number, String, Identifier, Equals, OpenParen, CloseParen, OpenStatement, CloseStatement, OpenExpression,
    CloseExpression, OpenBracket, CloseBracket, OpenBrace, CloseBrace, Comma, Dot, Colon, Pipe, Additive, Multiplicative,
    Power, Comparison, Unary, Comment,
}

/// <summary>One token of a template: its kind, its text (a string literal's value unescaped) and where it starts.</summary>
internal sealed record TemplateToken(TokenKind Kind, string Value, int Position)
{
    public string Value { get; set; } = Value;
}
