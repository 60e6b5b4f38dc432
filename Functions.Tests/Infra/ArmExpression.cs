using System.Globalization;
using System.Text;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// Just enough of the ARM template expression language to read compiled Bicep: function calls, string and number
/// literals, property access and indexing. <c>"[union(createObject('k', 'v'), …)]"</c> parses to a tree the
/// security tests can ask questions of (which keys an app-settings object has, what each value is built from).
/// </summary>
internal abstract record ArmExpression
{
    public sealed record Call(string Name, IReadOnlyList<ArmExpression> Arguments, string Text) : ArmExpression;

    public sealed record Literal(object Value, string Text) : ArmExpression;

    public sealed record Access(ArmExpression Target, ArmExpression Member, string Text) : ArmExpression;

    public abstract string Text { get; init; }

    /// <summary>A literal string (not an expression) parses to itself.</summary>
    public static ArmExpression Parse(string value)
    {
        if (!value.StartsWith('[') || value.StartsWith("[[", StringComparison.Ordinal) || !value.EndsWith(']'))
        {
            return new Literal(value, value);
        }
        var parser = new Parser(value[1..^1]);
        var expression = parser.Expression();
        parser.End();
        return expression;
    }

    /// <summary>Every node of the tree, this one first.</summary>
    public IEnumerable<ArmExpression> Descendants()
    {
        yield return this;
        var children = this switch
        {
            Call call => call.Arguments,
            Access access => [access.Target, access.Member],
            _ => [],
        };
        foreach (var node in children.SelectMany(c => c.Descendants()))
        {
            yield return node;
        }
    }

    /// <summary>The key/value pairs of every <c>createObject</c> call in the tree.</summary>
    public IEnumerable<(ArmExpression Key, ArmExpression Value)> ObjectEntries() =>
        Descendants().OfType<Call>().Where(c => c.Name.Equals("createObject", StringComparison.OrdinalIgnoreCase))
            .SelectMany(c => c.Arguments.Chunk(2).Select(pair => (pair[0], pair[1])));

    public string? AsString => this is Literal { Value: string s } ? s : null;

    private sealed class Parser(string text)
    {
        private int _at;

        public ArmExpression Expression()
        {
            var start = _at;
            ArmExpression node = Primary();
            while (true)
            {
                Skip();
                if (Peek('.'))
                {
                    _at++;
                    var name = Identifier();
                    node = new Access(node, new Literal(name, name), text[start.._at]);
                }
                else if (Peek('['))
                {
                    _at++;
                    var index = Expression();
                    Expect(']');
                    node = new Access(node, index, text[start.._at]);
                }
                else
                {
                    return node;
                }
            }
        }

        public void End()
        {
            Skip();
            if (_at != text.Length)
            {
                throw new FormatException($"Unexpected '{text[_at..]}' in ARM expression");
            }
        }

        private ArmExpression Primary()
        {
            Skip();
            var start = _at;
            if (Peek('\''))
            {
                var value = new StringBuilder();
                _at++;
                while (true)
                {
                    if (_at >= text.Length)
                    {
                        throw new FormatException("Unterminated string in ARM expression");
                    }
                    if (text[_at] == '\'')
                    {
                        if (_at + 1 < text.Length && text[_at + 1] == '\'')
                        {
                            value.Append('\'');
                            _at += 2;
                            continue;
                        }
                        _at++;
                        return new Literal(value.ToString(), text[start.._at]);
                    }
                    value.Append(text[_at++]);
                }
            }
            if (char.IsDigit(text[_at]) || text[_at] == '-')
            {
                _at++;
                while (_at < text.Length && char.IsDigit(text[_at]))
                {
                    _at++;
                }
                return new Literal(long.Parse(text[start.._at], CultureInfo.InvariantCulture), text[start.._at]);
            }
            var name = Identifier();
            Skip();
            if (!Peek('('))
            {
                return new Literal(name, name);
            }
            _at++;
            var arguments = new List<ArmExpression>();
            Skip();
            if (Peek(')'))
            {
                _at++;
                return new Call(name, arguments, text[start.._at]);
            }
            while (true)
            {
                arguments.Add(Expression());
                Skip();
                if (Peek(','))
                {
                    _at++;
                    continue;
                }
                Expect(')');
                return new Call(name, arguments, text[start.._at]);
            }
        }

        private string Identifier()
        {
            Skip();
            var start = _at;
            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '_' or '$'))
            {
                _at++;
            }
            if (_at == start)
            {
                throw new FormatException($"Expected a name at '{text[start..]}' in ARM expression");
            }
            return text[start.._at];
        }

        private bool Peek(char c) => _at < text.Length && text[_at] == c;

        private void Expect(char c)
        {
            Skip();
            if (!Peek(c))
            {
                throw new FormatException($"Expected '{c}' at '{text[_at..]}' in ARM expression");
            }
            _at++;
        }

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }
    }
}
