module github.com/cinnabar-db/cinnabar

go 1.26
