using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Text.Templates;

namespace Loom.Tests.Text.Templates;

/// <summary>
/// The interpreter on small templates: expected values worked out by hand (Jinja semantics with trim_blocks and
/// lstrip_blocks, as <c>@huggingface/jinja</c> renders chat templates), and the same snippets checked against the peer.
/// </summary>
public class JinjaTemplateTests
{
    private const string Context = """
        {"xs": [1, 2, 3], "s": "Hello World", "d": {"b": 1, "a": [true, null]}, "n": null, "f": 2.5,
         "msgs": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}, {"role": "user", "content": ""}]}
        """;

    public static TheoryData<string, string> Cases => new()
    {
        // whitespace control, trim_blocks, lstrip_blocks, comments
        { "a  {{- 'b' -}}  c", "abc" },
        { "x\n  {% if true %}\ny\n  {% endif %}\nz", "x\ny\nz" },
        { "a {%- if true -%} b {%- endif -%} c", "abc" },
        { "a {# note #}b{#- strip -#} c", "a bc" },
        { "line\n", "line" },
        { "{{ 'k' }}\n{{ 'v' }}", "k\nv" },
        // loops
        { "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }},{% endfor %}",
            "103truefalse,212falsefalse,321falsetrue," },
        { "{% for x in xs if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %}", "2/2 3/2 " },
        { "{% for x in [] %}a{% else %}empty{% endfor %}", "empty" },
        { "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "b=1;a=[true, null];" },
        { "{% for k in d %}{{ k }}{% endfor %}", "ba" },
        { "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}", "1" },
        { "{% set c = 0 %}{% for x in xs %}{% set c = x %}{% endfor %}{{ c }}", "0" },
        // namespace, set, block set, macro
        { "{% set ns = namespace(total=0) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}", "6" },
        { "{% set a, b = [1, 'two'] %}{{ b }}{{ a }}", "two1" },
        { "{% set block %}in {{ s }}{% endset %}[{{ block }}]", "[in Hello World]" },
        { "{% macro tag(name, v='x') %}<{{ name }}:{{ v }}>{% endmacro %}{{ tag('a') }}{{ tag('b', v='y') }}", "<a:x><b:y>" },
        // filters
        { "{{ '  pad  ' | trim }}|{{ s | upper }}|{{ s | lower }}|{{ 'the cat' | title }}|{{ 'abc' | capitalize }}",
            "pad|HELLO WORLD|hello world|The Cat|Abc" },
        { "{{ xs | length }}{{ s | length }}{{ xs | first }}{{ xs | last }}{{ xs | join('-') }}{{ xs | reverse | join }}",
            "311131-2-3321" },
        { "{{ d | tojson }}|{{ s | tojson }}|{{ f | tojson }}|{{ n | tojson }}",
            "{\"b\": 1, \"a\": [true, null]}|\"Hello World\"|2.5|null" },
        { "{{ d | tojson(indent=2) }}", "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null\n  ]\n}" },
        { "{{ missing | default('dflt') }}{{ '' | default('e', true) }}{{ s | replace('o', '0') }}", "dflteHell0 W0rld" },
        { "{{ '42' | int + 1 }} {{ '2.5' | float }} {{ 3 | string }} {{ xs | list | length }} {{ d | items | length }}", "43 2.5 3 3 2" },
        { "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}", "hi," },
        { "{{ msgs | rejectattr('content') | length }}", "1" },
        // tests
        { "{{ s is string }}{{ xs is iterable }}{{ d is mapping }}{{ f is number }}{{ missing is defined }}{{ n is none }}",
            "truetruetruetruefalsetrue" },
        { "{{ n is not none }}{{ xs is sequence }}{{ true is true }}{{ 0 is false }}{{ 3 is odd }}", "falsetruetruefalsetrue" },
        // string and dict methods
        { "{{ '  a b  '.strip() }}|{{ 'a,b,,c'.split(',') | length }}|{{ s.startswith('He') }}{{ s.endswith(('x', 'ld')) }}",
            "a b|4|truetrue" },
        { "{{ s.split(' ')[-1] }}{{ 'x y  z'.split() | join('_') }}{{ d.get('zz', 'none!') }}{{ d.keys() | join }}", "Worldx_y_znone!ba" },
        // slicing, membership, operators
        { "{{ xs[::-1] | join }}{{ xs[1:] | join }}{{ xs[:-1] | join }}{{ s[6:] }}{{ s[::-1] }}", "3212312WorlddlroW olleH" },
        { "{{ 'ell' in s }}{{ 2 in xs }}{{ 5 not in xs }}{{ 'a' in d }}{{ 'q' in d }}", "truetruetruetruefalse" },
        { "{{ 1 ~ 'a' ~ missing }}{{ 'a' + 'b' }}{{ 7 // 2 }}{{ 7 % 3 }}{{ 7 / 2 }}{{ 2 ** 3 }}{{ -xs[0] }}{{ 1.0 + 1 }}",
            "1aab313.58-12.0" },
        { "{{ 'y' if xs else 'n' }}{{ 'y' if n else 'n' }}{{ n or 'dflt' }}{{ 0 and 1 }}{{ not n }}{{ 1 < 2 }}{{ 2 >= 3 }}",
            "yndflt0truetruefalse" },
        { "{{ {'k': [1, 'v']}['k'][1] }}{{ [1, 2] + [3] }}{{ (1, 2) | length }}{{ xs.length }}", "v[1, 2, 3]23" },
        { "{{ range(3) | join }}{{ range(1, 7, 2) | join(',') }}", "0121,3,5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersAsWorkedOutByHand(string template, string expected) =>
        Assert.Equal(expected, JinjaTemplate.Parse(template).Render(JsonNode.Parse(Context)!.AsObject()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersAsThePeerDoes(string template, string expected)
    {
        var context = JsonNode.Parse(Context)!.AsObject();
        Assert.Equal(JinjaPeer.Output(template, context), JinjaTemplate.Parse(template).Render(context));
        Assert.NotNull(expected);
    }

    [Theory]
    [InlineData("{{ x | nosuchfilter }}", "line 1, column 8: unknown filter 'nosuchfilter'")]
    [InlineData("a\nb\n  {{ 1 +* 2 }}", "line 3, column 9: unexpected '*'")]
    [InlineData("{% if true %}\nno end", "missing {% endif %}")]
    [InlineData("line\n{% frob %}", "line 2, column 1: unknown statement 'frob'")]
    [InlineData("{{ 'open }}", "line 1, column 4: a string literal is never closed")]
    [InlineData("{{ x is frobbed }}", "line 1, column 4: unknown test 'frobbed'")]
    [InlineData("x\n\n{{ s.nope() }}", "line 3, column 4: cannot call something that is not a function: got UndefinedValue")]
    [InlineData("{% for c in 'abc' %}{% endfor %}", "line 1, column 1: cannot loop over StringValue")]
    public void ErrorsAreOneLineNamingLineAndColumn(string template, string expected)
    {
        var error = Assert.Throws<LoomDataException>(() => JinjaTemplate.Parse(template).Render(JsonNode.Parse(Context)!.AsObject()));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void RaiseExceptionThrowsTheTemplatesMessage()
    {
        var error = Assert.Throws<TemplateRaisedException>(() =>
            JinjaTemplate.Parse("{% if true %}{{ raise_exception('Only user and assistant roles') }}{% endif %}").Render(new JsonObject()));
        Assert.Equal("Only user and assistant roles", error.Message);
    }

    [Fact]
    public void NonAsciiAndControlCharactersInToJson()
    {
        var context = new JsonObject { ["v"] = "é\u0001\"\\\n🎉" };
        Assert.Equal("\"é\\u0001\\\"\\\\\\n🎉\"", JinjaTemplate.Parse("{{ v | tojson }}").Render(context));
        Assert.Equal(JinjaPeer.Output("{{ v | tojson }}{{ v | tojson(ensure_ascii=true) }}", context),
            JinjaTemplate.Parse("{{ v | tojson }}{{ v | tojson(ensure_ascii=true) }}").Render(context));
    }
}
