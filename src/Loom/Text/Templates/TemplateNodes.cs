namespace Loom.Text.Templates;

/// <summary>A node of a parsed template; <see cref="Position"/> is where it starts in the prepared source.</summary>
internal abstract record TemplateNode(int Position);

// Statements
internal sealed record TextNode(int Position, string Text) : TemplateNode(Position);
internal sealed record OutputNode(int Position, TemplateNode Expression) : TemplateNode(Position);
internal sealed record CommentNode(int Position) : TemplateNode(Position);
internal sealed record IfNode(int Position, TemplateNode Test, List<TemplateNode> Body, List<TemplateNode> Else) : TemplateNode(Position);
internal sealed record ForNode(int Position, TemplateNode Target, TemplateNode Iterable, TemplateNode? Filter,
    List<TemplateNode> Body, List<TemplateNode> Else) : TemplateNode(Position);
internal sealed record SetNode(int Position, TemplateNode Target, TemplateNode? Value, List<TemplateNode> Body)
    : TemplateNode(Position);
internal sealed record MacroNode(int Position, string Name, List<TemplateNode> Parameters, List<TemplateNode> Body)
    : TemplateNode(Position);
internal sealed record BreakNode(int Position) : TemplateNode(Position);
internal sealed record ContinueNode(int Position) : TemplateNode(Position);

// Expressions
internal sealed record NameNode(int Position, string Name) : TemplateNode(Position);
internal sealed record ConstantNode(int Position, TemplateValue Value) : TemplateNode(Position);
internal sealed record ListNode(int Position, List<TemplateNode> Items, bool IsTuple) : TemplateNode(Position);
internal sealed record DictNode(int Position, List<(TemplateNode Key, TemplateNode Value)> Entries) : TemplateNode(Position);
internal sealed record MemberNode(int Position, TemplateNode Target, TemplateNode Key, bool Computed) : TemplateNode(Position);
internal sealed record SliceNode(int Position, TemplateNode? Start, TemplateNode? Stop, TemplateNode? Step) : TemplateNode(Position);
internal sealed record CallNode(int Position, TemplateNode Callee, List<TemplateNode> Arguments) : TemplateNode(Position);
internal sealed record KeywordArgumentNode(int Position, string Name, TemplateNode Value) : TemplateNode(Position);
internal sealed record FilterNode(int Position, TemplateNode Operand, string Name, List<TemplateNode>? Arguments)
    : TemplateNode(Position);
internal sealed record TestNode(int Position, TemplateNode Operand, bool Negated, string Name) : TemplateNode(Position);
internal sealed record BinaryNode(int Position, string Operator, TemplateNode Left, TemplateNode Right) : TemplateNode(Position);
internal sealed record UnaryNode(int Position, string Operator, TemplateNode Operand) : TemplateNode(Position);
internal sealed record ConditionalNode(int Position, TemplateNode Test, TemplateNode WhenTrue, TemplateNode? WhenFalse)
    : TemplateNode(Position);
