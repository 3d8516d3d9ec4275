using System.Text.Json.Nodes;
using Loom.Text.Templates;

namespace Loom.Tests.Text.Templates;

/// <summary>
/// Corners where Jinja2 and its reimplementations tend to differ, with the peer (<c>@huggingface/jinja</c>) as the
/// oracle: whitespace control next to trim/lstrip blocks, CRLF line ends, <c>{% generation %}</c> markers, printing of
/// numbers, booleans, none and containers, JSON layout, undefined values, string escapes.
/// </summary>
public class JinjaPeerEdgeCaseTests
{
    private const string Context = """
        {"xs": [1, 2.5, "a", null, true], "d": {"k": {"n": [1, {"z": null}]}, "e": {}, "l": []}, "u": "ünï",
         "big": 1234567890123456789, "tiny": 0.000001234, "neg": -0.5}
        """;

    public static TheoryData<string> Templates => new()
    {
        "  {% if true %}\n    x\n  {% endif %}\n  {{ 'y' }}\n",
        "a\r\n  {% if true %}\r\nb\r\n  {%- endif %}\r\nc",
        "{% for x in xs %}\n  {{- x }}\n{%- endfor %}",
        "{{ 'a' }}   \n{# c #}\n  {#- c -#}  \n{{ 'b' -}}\n\n  z",
        "{% generation %}gen{% endgeneration %}|  {%- generation -%}  in  {%- endgeneration %}  |",
        "{{ xs }}|{{ d }}|{{ xs | tojson(indent=4) }}|{{ d | tojson(sort_keys=true, separators=(',', ':')) }}",
        "{{ 1.0 }} {{ 2.50 }} {{ -3 }} {{ 1000.0 }} {{ big }} {{ tiny }} {{ neg }} {{ 10 / 4 }} {{ 6 / 3 }}",
        "{{ true }} {{ none }} {{ missing }} {{ xs[3] }} {{ xs[99] }} {{ d.nope }} {{ d.k.n[1].z }}|",
        "{{ missing ~ 'x' }}{{ u | upper }}{{ u | length }}{{ u[::-1] }}{{ u | tojson }}{{ u | tojson(ensure_ascii=true) }}",
        "{{ 'tab\\tnew\\nquote\\'dq\\\"back\\\\ \\x41\\u00e9' }}",
        "{{ d.e is mapping }}{{ d.e | length }}{{ d.l | length }}{{ 'a' if d.e else 'b' }}{{ 'a' if d.l else 'b' }}",
        "{% set ns = namespace(a=[], b=none) %}{% set ns.a = ns.a + [1] %}{{ ns.a }}{{ ns.b is none }}{{ ns }}",
        "{% for k, v in d | dictsort %}{{ k }}{% endfor %}{% for x in xs | reverse %}{{ loop.revindex0 }}{% endfor %}",
        "{{ [{'x': 1}, {'x': 0}, {}] | selectattr('x') | list | length }}{{ 'a b c' | replace(' ', '') }}{{ 'aaa'.replace('a', 'b', 2) }}",
        "{{ 'x'.split('x') }}{{ ' a  b '.split(none, 1) }}{{ 'abc'[1] }}{{ 'abc'[-1] }}{{ xs[-2:] }}{{ xs[1:4:2] }}{{ xs[0:1:0] }}",
        "{{ '  x ' | indent(2, true) }}|{{ 'a\\nb\\n\\nc' | indent }}|{{ 'The quick' | title }}{{ 'ab1c d_e' | title }}",
        "{{ 3 | float }}{{ '3.5x' | float }}{{ 'x' | int(7) }}{{ 2.7 | int }}{{ true | int }}{{ -2.5 | abs }}{{ 5 | string }}",
        "{% macro m(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ m('x') }}{{ m(a='y') }}{{ m('p', 'q') }}",
        "{{ xs | join('/') }}{{ [[1, none], {'a': 1}, 1.0] | join }}{{ 'x' ~ [1.0, none, 'a'] }}{{ {'items': 5} | items }}",
        "{{ [1, 2, 1, 'a', 'a'] | unique | list }}{{ [3, 1, 2] | sort }}{{ ['b', 'A', 'c'] | sort(reverse=true) }}",
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void RendersAsThePeerDoes(string template)
    {
        var context = JsonNode.Parse(Context)!.AsObject();
        Assert.Equal(JinjaPeer.Output(template, context), JinjaTemplate.Parse(template).Render(context));
    }

    [Theory]
    [InlineData("{{ 'abc' | frob }}")]
    [InlineData("{% for c in 'abc' %}{% endfor %}")]
    [InlineData("{{ none + 1 }}")]
    [InlineData("{{ missing + 1 }}")]
    [InlineData("{{ 1 < 2 <= 2 }}")]
    [InlineData("{{ 1e3 }}")]
    [InlineData("{{ xs | selectattr('x') | list }}")]
    [InlineData("{{ d.k() }}")]
    [InlineData("{% if true %}never closed")]
    [InlineData("{% set d.k = 1 %}")]
    [InlineData("{{ xs['a':] }}")]
    public void FailsWhereThePeerFails(string template)
    {
        var context = JsonNode.Parse(Context)!.AsObject();
        Assert.NotNull(JinjaPeer.Render(template, context).Error);
        Assert.Throws<Loom.Core.LoomDataException>(() => JinjaTemplate.Parse(template).Render(context));
    }
}
