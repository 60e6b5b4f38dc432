using InsightsFunctions.Stitching;
using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Stitching;

/// <summary>
/// Many linkers at once over the same index, with random key overlaps: the components they leave are exactly
/// the connected components of the key graph (a union-find oracle), whatever the interleaving.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LinkerConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ParallelLinks_ComponentsEqualUnionFind(int seed)
    {
        var random = new Random(seed);
        var tasks = Enumerable.Range(0, 120).Select(i => $"WT{i:D4}").ToList();
        var links = tasks.Select(t => (Task: t, Keys: new[] { $"task:{t}" }
            .Concat(Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"k:{random.Next(60)}")).ToArray())).ToList();
        // Some tasks are linked twice, with different keys (a later event adds a link).
        links.AddRange(Enumerable.Range(0, 40).Select(_ => tasks[random.Next(tasks.Count)]).Select(t => (Task: t, Keys: new[] { $"task:{t}", $"k:{random.Next(60)}" })));

        var index = new InterleavingLinkIndex(new InMemoryLinkIndex(), seed);
        var linker = new ConversationLinker(index);
        await Parallel.ForEachAsync(links.OrderBy(_ => random.Next()), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (link, ct) => await linker.LinkAsync(link.Task, link.Keys, ct));

        // Oracle: union-find over tasks sharing any key.
        var parent = tasks.ToDictionary(t => t, t => t);
        string Find(string x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        foreach (var group in links.SelectMany(l => l.Keys.Select(k => (k, l.Task))).GroupBy(p => p.k))
        {
            var first = group.First().Task;
            foreach (var (_, task) in group)
            {
                parent[Find(task)] = Find(first);
            }
        }
        var expected = tasks.GroupBy(Find).Select(g => string.Join(",", g.Order())).Order().ToList();

        var actual = new List<string>();
        foreach (var task in tasks)
        {
            var component = await linker.ResolveAsync((await index.GetKeysAsync([$"task:{task}"], default))[$"task:{task}"].ComponentId, default);
            Assert.Contains(task, component.TaskSids);
            actual.Add(string.Join(",", component.TaskSids.Order()));
        }
        Assert.Equal(expected, actual.Distinct().Order().ToList());
    }
}
