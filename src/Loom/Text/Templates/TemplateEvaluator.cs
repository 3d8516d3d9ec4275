using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// Renders parsed template nodes against a scope: output, <c>if</c>, <c>for</c> (with the <c>loop</c> variable),
/// <c>set</c>, macros, and expressions. A failure becomes one <see cref="LoomDataException"/> line naming the line and
/// column of the node that failed; <c>raise_exception</c> becomes a <see cref="TemplateRaisedException"/>.
/// </summary>
internal sealed class TemplateEvaluator(TemplateSource source)
{
    private sealed class BreakSignal : Exception;

    private sealed class ContinueSignal : Exception;

    public string Render(List<TemplateNode> body, TemplateScope scope)
    {
        try
        {
            return RenderBlock(body, scope);
        }
        catch (BreakSignal)
        {
            throw new LoomDataException("chat template: 'break' outside a loop");
        }
        catch (ContinueSignal)
        {
            throw new LoomDataException("chat template: 'continue' outside a loop");
        }
    }

    private string RenderBlock(List<TemplateNode> body, TemplateScope scope)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var node in body) sb.Append(RenderNode(node, scope));
        return sb.ToString();
    }

    private string RenderNode(TemplateNode node, TemplateScope scope)
    {
        switch (node)
        {
            case TextNode text: return text.Text;
            case CommentNode: return "";
            case IfNode branch:
                return RenderBlock(Guard(branch, () => Eval(branch.Test, scope)).IsTruthy ? branch.Body : branch.Else, scope);
            case ForNode loop: return RenderFor(loop, scope);
            case SetNode set: Guard(set, () => ExecuteSet(set, scope)); return "";
            case MacroNode macro: scope.Set(macro.Name, DefineMacro(macro, scope)); return "";
            case BreakNode: throw new BreakSignal();
            case ContinueNode: throw new ContinueSignal();
            case OutputNode output:
                var value = Eval(output.Expression, scope);
                return value is NoneValue or UndefinedValue ? "" : value.ToString();
            default: throw new LoomDataException($"chat template {source.Describe(node.Position)}: unexpected node");
        }
    }

    private T Guard<T>(TemplateNode node, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (TemplateRenderException e)
        {
            throw new LoomDataException($"chat template {source.Describe(node.Position)}: {e.Message}");
        }
    }

    private void Guard(TemplateNode node, Action action) => Guard(node, () => { action(); return 0; });

    private string RenderFor(ForNode loop, TemplateScope outer)
    {
        var scope = outer.Child();
        var iterable = Guard(loop, () => Eval(loop.Iterable, scope));
        var candidates = iterable switch
        {
            ListValue l => l.Items,
            DictValue { IsNamespace: false } d => TemplateMethods.Keys(d).Items,
            _ => throw new LoomDataException(
                $"chat template {source.Describe(loop.Position)}: cannot loop over {iterable.TypeName}"),
        };
        var items = new List<TemplateValue>();
        foreach (var candidate in candidates)
        {
            if (loop.Filter is not null)
            {
                var filterScope = scope.Child();
                Guard(loop, () => Bind(loop.Target, candidate, filterScope));
                if (!Guard(loop, () => Eval(loop.Filter, filterScope)).IsTruthy) continue;
            }
            items.Add(candidate);
        }
        var sb = new System.Text.StringBuilder();
        bool iterated = false;
        for (int i = 0; i < items.Count; i++)
        {
            scope.Set("loop", LoopVariable(i, items));
            Guard(loop, () => Bind(loop.Target, items[i], scope));
            try
            {
                sb.Append(RenderBlock(loop.Body, scope));
            }
            catch (ContinueSignal)
            {
                continue;
            }
            catch (BreakSignal)
            {
                break;
            }
            iterated = true;
        }
        if (!iterated) sb.Append(RenderBlock(loop.Else, scope));
        return sb.ToString();
    }

    private static DictValue LoopVariable(int i, List<TemplateValue> items) => new(new OrderedDictionary<string, TemplateValue>
    {
        ["index"] = new IntValue(i + 1),
        ["index0"] = new IntValue(i),
        ["revindex"] = new IntValue(items.Count - i),
        ["revindex0"] = new IntValue(items.Count - i - 1),
        ["first"] = TemplateValue.Of(i == 0),
        ["last"] = TemplateValue.Of(i == items.Count - 1),
        ["length"] = new IntValue(items.Count),
        ["previtem"] = i > 0 ? items[i - 1] : TemplateValue.Undefined,
        ["nextitem"] = i < items.Count - 1 ? items[i + 1] : TemplateValue.Undefined,
    });

    private static void Bind(TemplateNode target, TemplateValue value, TemplateScope scope)
    {
        if (target is NameNode name)
        {
            scope.Set(name.Name, value);
            return;
        }
        var names = ((ListNode)target).Items;
        if (value is not ListValue list) throw new TemplateRenderException($"cannot unpack {value.TypeName}");
        if (list.Items.Count != names.Count)
            throw new TemplateRenderException($"too {(names.Count > list.Items.Count ? "few" : "many")} items to unpack");
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] is not NameNode n) throw new TemplateRenderException("can only unpack into names");
            scope.Set(n.Name, list.Items[i]);
        }
    }

    private void ExecuteSet(SetNode set, TemplateScope scope)
    {
        var value = set.Value is null ? new StringValue(RenderBlock(set.Body, scope)) : Eval(set.Value, scope);
        switch (set.Target)
        {
            case MemberNode { Computed: false, Key: NameNode attribute } member:
                if (Eval(member.Target, scope) is not DictValue { IsNamespace: true } ns)
                    throw new TemplateRenderException("cannot assign an attribute of something that is not a namespace()");
                ns.Entries[attribute.Name] = value;
                break;
            case NameNode or ListNode { IsTuple: true }: Bind(set.Target, value, scope); break;
            default: throw new TemplateRenderException("cannot assign to this expression");
        }
    }

    private FunctionValue DefineMacro(MacroNode macro, TemplateScope definedIn) => new(args =>
    {
        var scope = definedIn.Child();
        var pending = new List<(string, TemplateNode)>();
        for (int i = 0; i < macro.Parameters.Count; i++)
        {
            var (name, fallback) = macro.Parameters[i] switch
            {
                NameNode n => (n.Name, (TemplateNode?)null),
                KeywordArgumentNode k => (k.Name, k.Value),
                _ => throw new TemplateRenderException("bad macro parameter"),
            };
            var value = i < args.Positional.Count ? args.Positional[i] : null;
            if (value is null && args.Keywords.Remove(name, out var named)) value = named;
            if (value is null && fallback is not null) pending.Add((name, fallback));
            scope.Set(name, value ?? TemplateValue.Undefined);
        }
        if (args.Keywords.Count > 0)
            throw new TemplateRenderException($"macro '{macro.Name}' takes no keyword argument '{args.Keywords.GetAt(0).Key}'");
        if (args.Positional.Count > macro.Parameters.Count)
            throw new TemplateRenderException($"macro '{macro.Name}' takes not more than {macro.Parameters.Count} argument(s)");
        foreach (var (name, fallback) in pending) scope.Set(name, Eval(fallback, scope));
        return new StringValue(RenderBlock(macro.Body, scope));
    });

    private TemplateValue Eval(TemplateNode node, TemplateScope scope)
    {
        try
        {
            return Evaluate(node, scope);
        }
        catch (TemplateRenderException e)
        {
            throw new LoomDataException($"chat template {source.Describe(node.Position)}: {e.Message}");
        }
        catch (Exception e) when (e is ArithmeticException or InvalidCastException or ArgumentException or FormatException)
        {
            throw new LoomDataException($"chat template {source.Describe(node.Position)}: cannot evaluate ({e.Message})", e);
        }
    }

    private TemplateValue Evaluate(TemplateNode node, TemplateScope scope) => node switch
    {
        NameNode name => scope.Lookup(name.Name),
        ConstantNode constant => constant.Value,
        ListNode list => new ListValue(list.Items.Select(i => Evaluate(i, scope)).ToList(), list.IsTuple),
        DictNode dict => new DictValue(new OrderedDictionary<string, TemplateValue>(dict.Entries.Select(e =>
            KeyValuePair.Create(Evaluate(e.Key, scope) is StringValue k ? k.Value
                : throw new TemplateRenderException("dict keys must be strings"), Evaluate(e.Value, scope))))),
        MemberNode member => Member(member, scope),
        CallNode call => Call(call, scope),
        FilterNode filter => TemplateFilters.Apply(filter.Name, Evaluate(filter.Operand, scope),
            filter.Arguments is null ? null : Arguments(filter.Arguments, scope)),
        TestNode test => TemplateValue.Of(TemplatePredicates.Test(test.Name, Evaluate(test.Operand, scope)) != test.Negated),
        BinaryNode { Operator: "and" } and => Evaluate(and.Left, scope) is var l && l.IsTruthy ? Evaluate(and.Right, scope) : l,
        BinaryNode { Operator: "or" } or => Evaluate(or.Left, scope) is var l && l.IsTruthy ? l : Evaluate(or.Right, scope),
        BinaryNode binary => TemplateOperators.Apply(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope)),
        UnaryNode unary => Unary(unary.Operator, Evaluate(unary.Operand, scope)),
        ConditionalNode c => Evaluate(c.Test, scope).IsTruthy ? Evaluate(c.WhenTrue, scope)
            : c.WhenFalse is null ? TemplateValue.Undefined : Evaluate(c.WhenFalse, scope),
        _ => throw new TemplateRenderException($"{node.GetType().Name} is not an expression"),
    };

    private static TemplateValue Unary(string op, TemplateValue value)
    {
        if (op == "not") return TemplateValue.Of(!value.IsTruthy);
        if (!TemplateOperators.IsNumeric(value)) throw new TemplateRenderException($"unknown operator '{op}' for {value.TypeName}");
        double signed = (op == "-" ? -1 : 1) * TemplateOperators.ToDouble(value);
        return value is FloatValue ? new FloatValue(signed) : new IntValue((long)signed);
    }

    private TemplateValue Call(CallNode call, TemplateScope scope)
    {
        var args = Arguments(call.Arguments, scope);
        var callee = Evaluate(call.Callee, scope);
        if (callee is not FunctionValue function)
            throw new TemplateRenderException($"cannot call something that is not a function: got {callee.TypeName}");
        return function.Call(args);
    }

    private CallArguments Arguments(List<TemplateNode> nodes, TemplateScope scope)
    {
        var positional = new List<TemplateValue>();
        var keywords = new OrderedDictionary<string, TemplateValue>();
        foreach (var node in nodes)
            if (node is KeywordArgumentNode k)
            {
                if (!keywords.TryAdd(k.Name, Evaluate(k.Value, scope)))
                    throw new TemplateRenderException($"got multiple values for keyword argument '{k.Name}'");
            }
            else positional.Add(Evaluate(node, scope));
        return new CallArguments(positional, keywords);
    }

    private TemplateValue Member(MemberNode member, TemplateScope scope)
    {
        var target = Evaluate(member.Target, scope);
        if (member.Key is SliceNode slice) return TemplateSlicing.Slice(target, EvaluateOptional(slice.Start, scope),
            EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope));
        var key = member.Computed ? Evaluate(member.Key, scope)
            : member.Key is NameNode name ? new StringValue(name.Name) : ((ConstantNode)member.Key).Value;
        switch (target)
        {
            case DictValue d:
                if (key is not StringValue k) throw new TemplateRenderException($"cannot read a property with {key.TypeName}");
                return d.Entries.TryGetValue(k.Value, out var v) ? v : TemplateMethods.Attribute(d, k.Value);
            case ListValue or StringValue when key is IntValue index:
                return TemplateSlicing.At(target, index.Value);
            case ListValue or StringValue when key is StringValue attribute:
                return TemplateMethods.Attribute(target, attribute.Value);
            case ListValue or StringValue:
                throw new TemplateRenderException($"cannot index with {key.TypeName}");
            default:
                return key is StringValue ? TemplateValue.Undefined
                    : throw new TemplateRenderException($"cannot read a property with {key.TypeName}");
        }
    }

    private TemplateValue EvaluateOptional(TemplateNode? node, TemplateScope scope) =>
        node is null ? TemplateValue.Undefined : Evaluate(node, scope);
}
