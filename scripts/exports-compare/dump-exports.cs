#:package Azure.Storage.Blobs@12.30.1
#:property ManagePackageVersionsCentrally=false
#:property NoWarn=NU1603
// Downloads every blob of one container into a folder: dump-exports.cs CONNECTION_STRING CONTAINER FOLDER.
using Azure.Storage.Blobs;

var (connection, container, target) = (args[0], args[1], args[2]);
var client = new BlobServiceClient(connection).GetBlobContainerClient(container);
var count = 0;
await foreach (var item in client.GetBlobsAsync())
{
    var path = Path.Combine(target, item.Name);
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    await client.GetBlobClient(item.Name).DownloadToAsync(path);
    count++;
}
Console.WriteLine($"{count} blobs from {container} into {target}");
