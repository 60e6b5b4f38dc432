namespace InsightsFunctions.Tests.Support;

/// <summary>Files of the repository (README, docs, infra, scripts), found by walking up from the test binaries to the solution.</summary>
public static class RepositoryFiles
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "InsightsFunctions.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, relative);
            }
        }
        throw new FileNotFoundException($"No InsightsFunctions.sln above {AppContext.BaseDirectory}.");
    }
}
