-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "mediaClaimedAt" TIMESTAMP(3);
