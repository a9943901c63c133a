-- CreateTable
CREATE TABLE "StudioModel" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "anchors" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StudioModel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StudioModel_shop_id_idx" ON "StudioModel"("shop", "id");

