using Azure;
using Azure.Data.Tables;
using InsightsFunctions.Storage;
using Moq;

namespace InsightsFunctions.Tests.Storage;

/// <summary>The conditional write's conflicts: which it reads again after, which go to the caller.</summary>
[Trait("Category", "Unit")]
public sealed class TableConditionalTests
{
    [Fact]
    public async Task NotFoundOnTheAdd_GoesToTheCaller_NotReadAgainForEver()
    {
        // Arrange: no row, and the add answers 404 (the table is not there).
        var absent = new Mock<NullableResponse<TableEntity>>();
        absent.SetupGet(r => r.HasValue).Returns(false);
        var table = new Mock<TableClient>();
        table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>("P", "R", null, It.IsAny<CancellationToken>())).ReturnsAsync(absent.Object);
        table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(404, "TableNotFound"));

        // Act
        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => TableConditional.SaveIfAsync(table.Object, new TableEntity("P", "R"), _ => true, CancellationToken.None))
            .WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        Assert.Equal(404, failure.Status);
        table.Verify(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task NotFoundOnTheReplace_TheRowWasDeletedSinceTheRead_ReadsAgainAndAdds()
    {
        // Arrange: a row read, deleted before the If-Match replace (404), then absent.
        var present = new Mock<NullableResponse<TableEntity>>();
        present.SetupGet(r => r.HasValue).Returns(true);
        present.SetupGet(r => r.Value).Returns(new TableEntity("P", "R") { ETag = new ETag("W/1") });
        var absent = new Mock<NullableResponse<TableEntity>>();
        absent.SetupGet(r => r.HasValue).Returns(false);
        var table = new Mock<TableClient>();
        table.SetupSequence(t => t.GetEntityIfExistsAsync<TableEntity>("P", "R", null, It.IsAny<CancellationToken>())).ReturnsAsync(present.Object).ReturnsAsync(absent.Object);
        table.Setup(t => t.UpdateEntityAsync(It.IsAny<TableEntity>(), It.IsAny<ETag>(), TableUpdateMode.Replace, It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(404, "ResourceNotFound"));
        table.Setup(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>())).ReturnsAsync(Mock.Of<Response>());

        // Act
        var stored = await TableConditional.SaveIfAsync(table.Object, new TableEntity("P", "R") { ["v"] = 2 }, _ => true, CancellationToken.None);

        // Assert
        Assert.Equal(2, stored["v"]);
        table.Verify(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()), Times.Once);
    }
}
